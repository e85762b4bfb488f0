import traceability.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("traceability", "0007_labels_after_merges"),
    ]

    # The column first, then its default: a volatile default on ADD COLUMN would rewrite
    # the whole event table; stored events keep NULL (committed long before any page).
    operations = [
        migrations.AddField(
            model_name="event",
            name="recorded_xact",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="recorded_xact",
            field=models.BigIntegerField(
                blank=True,
                db_default=traceability.models.CurrentTransaction(),
                editable=False,
                null=True,
            ),
        ),
    ]
