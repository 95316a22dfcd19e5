from django.urls import path

from rastrack.reference import views

app_name = "reference"
urlpatterns = [
    path("procedures/", views.procedures, name="procedures"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.procedure_edit, name="procedure-edit"),
]
