from django.urls import path

from notes.psychotherapy import views

app_name = "psychotherapy"

urlpatterns = [
    path("unseal/", views.unseal, name="unseal"),
    path("client/<uuid:client_uuid>/", views.note_list, name="list"),
    path("client/<uuid:client_uuid>/new/", views.note_create, name="create"),
    path("<uuid:note_uuid>/", views.note_detail, name="detail"),
    path("<uuid:note_uuid>/edit/", views.note_edit, name="edit"),
    path("<uuid:note_uuid>/delete/", views.note_delete, name="delete"),
]
