from django.db import migrations

NAMES = {
    "motor_vehicle": "机动车 (新能源汽车起火冒烟) motor vehicle",
    "electric_bicycle": "电动自行车 electric bicycle",
    "electrical_appliance": "电子电器 electrical and electronic products",
    "children_product": "儿童和学生用品 children's and students' products",
}


def seed(apps, schema_editor):
    from injury.categories import default_categories

    category = apps.get_model("injury", "AccidentCategory")
    for code, fields in default_categories().items():
        category.objects.get_or_create(code=code, defaults={"name": NAMES.get(code, ""), **fields})


class Migration(migrations.Migration):
    dependencies = [("injury", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
