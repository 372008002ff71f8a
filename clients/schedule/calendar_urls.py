from django.urls import path

from clients.schedule import calendar_views

app_name = "schedule"

# Mounted under /clients/.
urlpatterns = [
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
