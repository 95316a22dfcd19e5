"""The real URLs plus the floors under /bench/floor/ (bench settings only, never in production)."""

from django.urls import path

from bench import floors
from rastrack.urls import urlpatterns as real_urlpatterns

urlpatterns = [
    path("bench/floor/logbook/", floors.logbook),
    path("bench/floor/queue/", floors.queue),
    path("bench/floor/learning-curve/", floors.learning_curve),
    path("bench/floor/cases/", floors.case_create),
    path("bench/floor/dashboards/national/", floors.dashboard),
    path("bench/floor/dashboards/regions/<int:region_id>/", floors.dashboard),
    *real_urlpatterns,
]
