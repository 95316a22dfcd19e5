"""Web pages of the labs, under /labs/ and the "labs" namespace."""

from django.urls import path

from labs import views
from labs.centres import views as centre_views

app_name = "labs"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("calendar/", views.calendar, name="calendar"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/book/", views.session_book, name="session-book"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("manage/", views.manage, name="manage"),
    path("centres/", centre_views.centre_list, name="centres"),
    path("centres/<int:pk>/", centre_views.centre_detail, name="centre"),
    path("annual-returns/<int:pk>/", centre_views.annual_return, name="annual-return"),
    path("capacity/", views.capacity_page, name="capacity"),
    path("equipment/<int:pk>/", views.equipment_update, name="equipment-update"),
    path("<int:pk>/", views.lab_detail, name="lab"),
    path("<int:pk>/equipment/", views.manage_equipment, name="manage-equipment"),
    path("<int:pk>/opening-hours/", views.opening_hours, name="opening-hours"),
    path("<int:pk>/sessions/", views.manage_sessions, name="manage-sessions"),
    path("<int:pk>/sessions/new/", views.session_new, name="session-new"),
]
