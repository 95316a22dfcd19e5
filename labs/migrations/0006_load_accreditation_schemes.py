from django.db import migrations


def load(apps, schema_editor):
    from labs.centres.schemes import load_schemes

    load_schemes(apps.get_model("labs", "AccreditationScheme"), apps.get_model("labs", "SchemeCriterion"))


class Migration(migrations.Migration):
    dependencies = [("labs", "0005_accredited_centres_courses_feedback")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
