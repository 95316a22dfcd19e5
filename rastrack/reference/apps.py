from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "rastrack.reference"
    label = "reference"
    verbose_name = "Reference data"
