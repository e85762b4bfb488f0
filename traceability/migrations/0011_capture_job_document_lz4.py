from django.db import migrations

# A job's document is megabytes of JSON text, written once and read once: lz4 compresses it
# several times faster than PostgreSQL's default pglz. A server built without lz4 keeps pglz.
LZ4 = """
DO $$
BEGIN
    ALTER TABLE traceability_capturejob ALTER COLUMN document SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$;
"""


def lz4(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


class Migration(migrations.Migration):
    dependencies = [
        ("traceability", "0010_capture_job_document_text"),
    ]

    operations = [migrations.RunPython(lz4, migrations.RunPython.noop)]
