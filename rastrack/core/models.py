from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (beat writes "beat")."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
