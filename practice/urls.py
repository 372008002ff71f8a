from django.contrib import admin
from django.urls import include, path

from practice import account_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/mfa/", account_views.mfa_verify, name="mfa_verify"),
    path("accounts/mfa/setup/", account_views.mfa_setup, name="mfa_setup"),
    path("accounts/mfa/backup-codes/", account_views.mfa_backup_codes, name="mfa_backup_codes"),
    path("accounts/session/", account_views.session_status, name="session_status"),
    path("accounts/session/keep-alive/", account_views.session_keepalive, name="session_keepalive"),
    path("accounts/session/timeout/", account_views.session_timeout, name="session_timeout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<uuid:user_uuid>/", views.staff_edit, name="staff_edit"),
    path("staff/<uuid:user_uuid>/mfa-reset/", views.staff_mfa_reset, name="staff_mfa_reset"),
    path("staff/<uuid:user_uuid>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("practice/settings/", views.practice_settings, name="practice_settings"),
    path("clients/", include("clients.urls")),
    path("notes/", include("notes.urls")),
    path("process-notes/", include("notes.psychotherapy.urls")),
    path("measures/", include("notes.measures.urls")),
    path("contacts/", include("contacts.urls")),
    path("billing/", include("billing.urls")),
    path("documents/", include("practice.document_urls")),
    path("operator/", admin.site.urls),
]
