from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("client/<uuid:client_uuid>/new/", views.note_create, name="create"),
    path("<uuid:note_uuid>/", views.note_detail, name="detail"),
    path("<uuid:note_uuid>/edit/", views.note_edit, name="edit"),
    path("<uuid:note_uuid>/autosave/", views.note_autosave, name="autosave"),
    path("<uuid:note_uuid>/sign/", views.note_sign, name="sign"),
    path("<uuid:note_uuid>/discard/", views.note_discard, name="discard"),
    path("<uuid:note_uuid>/cosign/", views.note_cosign, name="cosign"),
    path("<uuid:note_uuid>/addenda/", views.addendum_add, name="addendum_add"),
    path("<uuid:note_uuid>/print/", views.note_print, name="print"),
]
