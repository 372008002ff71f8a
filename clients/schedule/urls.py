from django.urls import path

from clients.schedule import calendar_views, views

app_name = "schedule"

# Mounted under /clients/ (the paths are those the schedule had inside clients).
urlpatterns = [
    path("schedule/", views.practice_day, name="day"),
    path("schedule/clinician/", views.clinician_day, name="clinician_day"),
    path("<uuid:client_uuid>/appointments/new/", views.book, name="book"),
    path("appointments/<uuid:appointment_uuid>/no-show/", views.no_show, name="no_show"),
    path("appointments/<uuid:appointment_uuid>/cancel/", views.cancel, name="cancel"),
    path(
        "appointments/<uuid:appointment_uuid>/reschedule/", views.reschedule, name="reschedule"
    ),
    path("appointments/<uuid:appointment_uuid>/complete/", views.complete, name="complete"),
    # The week, recurring series and calendar feeds (issue 14).
    path("schedule/week/", calendar_views.week, name="week"),
    path("schedule/feed/", calendar_views.feed_settings, name="feed"),
    path("schedule/feed/<str:token>.ics", calendar_views.feed_ics, name="feed_ics"),
    path(
        "<uuid:client_uuid>/appointments/series/new/",
        calendar_views.series_book,
        name="series_book",
    ),
    path(
        "appointments/<uuid:appointment_uuid>/series/",
        calendar_views.series_change,
        name="series_change",
    ),
]
