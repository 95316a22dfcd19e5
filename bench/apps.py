from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark world's loader (`manage.py seed_bench`), installed only by the bench's
    and the tests' settings: the product never imports it."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
