"""Trainer rights are platform-scoped: an accreditation that names no platform covers what its
trainer's latest approved application named."""

from django.db import migrations


def platforms_from_applications(apps, schema_editor):
    Accreditation = apps.get_model("accreditation", "Accreditation")
    TrainerApplication = apps.get_model("accreditation", "TrainerApplication")
    for accreditation in Accreditation.objects.filter(platforms=[]).iterator():
        application = (TrainerApplication.objects.filter(applicant_id=accreditation.trainer_id, status="approved")
                       .order_by("-decided_at", "-id").first())
        if application and application.platforms:
            # Outside the audited manager's reach on purpose: a migration restates what was decided.
            Accreditation.objects.filter(pk=accreditation.pk).update(platforms=application.platforms,
                                                                     specialty=accreditation.specialty
                                                                     or application.specialty)


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0014_privileges")]

    operations = [migrations.RunPython(platforms_from_applications, migrations.RunPython.noop)]
