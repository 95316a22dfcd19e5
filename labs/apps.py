from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Skills labs"

    def ready(self) -> None:
        # Lab attendance is evidence for the curriculum's progress engine (see labs/evidence.py
        # for what counts and how it avoids shadowing the logbook's simulator provider).
        from labs import evidence
        from labs.centres import evidence as course_evidence

        evidence.register()
        # Courses from an accredited provider, for `accredited_course` requirements.
        course_evidence.register()

        # Sessions taught, beside what a trainer applicant typed (the faculty cannot import
        # labs, which sits above it).
        from accreditation.faculty.figures import register_teaching_figure
        from labs.teaching import LABEL, sessions_taught_count

        register_teaching_figure(LABEL, sessions_taught_count)
