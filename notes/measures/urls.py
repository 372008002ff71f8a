from django.urls import path

from notes.measures import views

app_name = "measures"

urlpatterns = [
    path("client/<uuid:client_uuid>/give/<slug:instrument>/", views.measure_give, name="give"),
    path(
        "client/<uuid:client_uuid>/client-mode/<slug:instrument>/",
        views.client_mode_start,
        name="client_mode_start",
    ),
    path("client/<uuid:client_uuid>/repeats/", views.schedule, name="schedule"),
    path("repeats/<uuid:schedule_uuid>/stop/", views.schedule_stop, name="schedule_stop"),
    path("client-mode/", views.client_mode, name="client_mode"),
    path("client-mode/leave/", views.client_mode_exit, name="client_mode_exit"),
    path("<uuid:result_uuid>/", views.measure_detail, name="detail"),
]
