from django.apps import AppConfig


class RastrackConfig(AppConfig):
    """The composition root: the project's own management commands (`seed_demo`)."""

    name = "rastrack"
    label = "rastrack"
    default_auto_field = "django.db.models.BigAutoField"
