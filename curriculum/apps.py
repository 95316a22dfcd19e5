from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "curriculum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Curriculum's own evidence; later apps register theirs the same way in their ready().
        from curriculum.evidence import ELearningProvider
        from curriculum.progress import register_provider

        register_provider(ELearningProvider())

        from curriculum.models import ELearningCompletion, Enrolment
        from curriculum.progress_summary import watch

        watch(ELearningCompletion)
        watch(Enrolment)
