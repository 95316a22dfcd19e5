from django.urls import path

from rastrack.reference import views

app_name = "reference"
urlpatterns = [path("procedures/", views.procedures, name="procedures")]
