"""The seeded key categories read "电动自行车 electric bicycle" in the admin: Chinese and
English in one label. They are named in Chinese only; a name an admin changed is kept."""

from django.db import migrations

RENAMED = {
    "motor_vehicle": ("机动车 (新能源汽车起火冒烟) motor vehicle", "机动车（新能源汽车起火冒烟）"),
    "electric_bicycle": ("电动自行车 electric bicycle", "电动自行车"),
    "electrical_appliance": ("电子电器 electrical and electronic products", "电子电器"),
    "children_product": ("儿童和学生用品 children's and students' products", "儿童和学生用品"),
}


def rename(apps, schema_editor, *, forward=True):
    category = apps.get_model("injury", "AccidentCategory")
    for code, (old, new) in RENAMED.items():
        before, after = (old, new) if forward else (new, old)
        category.objects.filter(code=code, name=before).update(name=after)


class Migration(migrations.Migration):
    dependencies = [("injury", "0005_verbose_names")]

    operations = [
        migrations.RunPython(rename, lambda apps, editor: rename(apps, editor, forward=False))
    ]
