from django.contrib import admin
from django.urls import include, path

from practice import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<uuid:user_uuid>/", views.staff_edit, name="staff_edit"),
    path("practice/settings/", views.practice_settings, name="practice_settings"),
    path("clients/", include("clients.urls")),
    path("notes/", include("notes.urls")),
    path("process-notes/", include("notes.psychotherapy.urls")),
    path("contacts/", include("contacts.urls")),
    path("billing/", include("billing.urls")),
    path("documents/", include("practice.document_urls")),
    path("operator/", admin.site.urls),
]
