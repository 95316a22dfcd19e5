from django.db import migrations


def load(apps, schema_editor):
    from accreditation.logbook.simulation import load_simulator_catalogue

    load_simulator_catalogue(apps.get_model("accreditation", "SimulatorExercise"),
                             apps.get_model("accreditation", "SimulatorExportFormat"))


class Migration(migrations.Migration):

    dependencies = [
        ("accreditation", "0008_simulator_exercises_provenance"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
