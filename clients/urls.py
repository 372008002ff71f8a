from django.urls import path

from clients import views
from clients.amendments import views as amendment_views
from clients.emergency import views as emergency_views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("caseload/", views.caseload, name="caseload"),
    path("new/", views.client_create, name="create"),
    path("retention/", views.retention_report, name="retention_report"),
    # Break-the-glass access and its review; see clients/emergency/.
    path("emergency/", emergency_views.emergency_start, name="emergency_start"),
    path("emergency/review/", emergency_views.emergency_review, name="emergency_review"),
    path(
        "emergency/<uuid:grant_uuid>/reviewed/",
        emergency_views.emergency_review_mark,
        name="emergency_review_mark",
    ),
    path("<uuid:client_uuid>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_uuid>/discharge/", views.discharge, name="discharge"),
    path("<uuid:client_uuid>/care-team/", views.care_team, name="care_team"),
    path(
        "<uuid:client_uuid>/care-team/<int:member_id>/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
    path("<uuid:client_uuid>/diagnoses/add/", views.diagnosis_add, name="diagnosis_add"),
    path(
        "<uuid:client_uuid>/diagnoses/<uuid:diagnosis_uuid>/resolve/",
        views.diagnosis_resolve,
        name="diagnosis_resolve",
    ),
    path("<uuid:client_uuid>/contacts/add/", views.collateral_add, name="collateral_add"),
    path(
        "<uuid:client_uuid>/contacts/<uuid:contact_uuid>/release/",
        views.roi_add,
        name="roi_add",
    ),
    path(
        "<uuid:client_uuid>/contacts/<uuid:contact_uuid>/representative/suspend/",
        views.representation_suspend,
        name="representation_suspend",
    ),
    path(
        "<uuid:client_uuid>/releases/<uuid:roi_uuid>/revoke/",
        views.roi_revoke,
        name="roi_revoke",
    ),
    path("<uuid:client_uuid>/audit/", views.client_audit, name="audit"),
    # Amendment requests (right to amend); see clients/amendments/.
    path(
        "<uuid:client_uuid>/amendments/new/",
        amendment_views.amendment_create,
        name="amendment_create",
    ),
    path(
        "<uuid:client_uuid>/amendments/<uuid:amendment_uuid>/",
        amendment_views.amendment_detail,
        name="amendment_detail",
    ),
    path(
        "<uuid:client_uuid>/amendments/<uuid:amendment_uuid>/accept/",
        amendment_views.amendment_accept,
        name="amendment_accept",
    ),
    path(
        "<uuid:client_uuid>/amendments/<uuid:amendment_uuid>/deny/",
        amendment_views.amendment_deny,
        name="amendment_deny",
    ),
    path(
        "<uuid:client_uuid>/amendments/<uuid:amendment_uuid>/disagreement/",
        amendment_views.amendment_disagreement,
        name="amendment_disagreement",
    ),
]
