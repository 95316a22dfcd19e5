from django.urls import path

from dashboards import views as dashboard_views

app_name = "dashboards"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("regions/<int:pk>/", dashboard_views.region, name="region"),
    path("trainer/", dashboard_views.trainer, name="trainer"),
    path("mine/", dashboard_views.trainee, name="trainee"),
]
