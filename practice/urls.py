from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
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
    # Not django.contrib.auth.urls in full: only these, each audited
    # (account_views); the e-mail reset only when e-mail is configured.
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("accounts/reset-code/", account_views.reset_with_code, name="reset_with_code"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<uuid:user_uuid>/", views.staff_edit, name="staff_edit"),
    path(
        "staff/<uuid:user_uuid>/sign-in-reset/",
        views.staff_sign_in_reset,
        name="staff_sign_in_reset",
    ),
    path("staff/<uuid:user_uuid>/mfa-reset/", views.staff_mfa_reset, name="staff_mfa_reset"),
    path("staff/<uuid:user_uuid>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("practice/settings/", views.practice_settings, name="practice_settings"),
    path("", include("clients.records.urls")),
    path("clients/", include("clients.schedule.urls")),
    path("clients/", include("clients.urls")),
    path("notes/", include("notes.urls")),
    path("process-notes/", include("notes.psychotherapy.urls")),
    path("plans/", include("notes.plans.urls")),
    path("measures/", include("notes.measures.urls")),
    path("contacts/", include("contacts.urls")),
    path("billing/", include("billing.urls")),
    path("documents/", include("practice.documents.urls")),
    path("operator/", admin.site.urls),
]

if settings.PASSWORD_RESET_BY_EMAIL:
    urlpatterns += [
        path(
            "accounts/password-reset/",
            account_views.EmailPasswordResetView.as_view(),
            name="password_reset",
        ),
        path(
            "accounts/password-reset/sent/",
            auth_views.PasswordResetDoneView.as_view(),
            name="password_reset_done",
        ),
        path(
            "accounts/password-reset/<uidb64>/<token>/",
            account_views.EmailPasswordResetConfirmView.as_view(),
            name="password_reset_confirm",
        ),
        path(
            "accounts/password-reset/done/",
            auth_views.PasswordResetCompleteView.as_view(),
            name="password_reset_complete",
        ),
    ]
