from django.urls import path

from notes.plans import views

app_name = "plans"

urlpatterns = [
    path("client/<uuid:client_uuid>/", views.client_plan, name="client"),
    path("client/<uuid:client_uuid>/start/", views.plan_start, name="start"),
    path("<uuid:plan_uuid>/", views.plan_detail, name="detail"),
    path("<uuid:plan_uuid>/edit/", views.plan_edit, name="edit"),
    path("<uuid:plan_uuid>/sign/", views.plan_sign, name="sign"),
    path("<uuid:plan_uuid>/discard/", views.plan_discard, name="discard"),
    path("<uuid:plan_uuid>/cosign/", views.plan_cosign, name="cosign"),
]
