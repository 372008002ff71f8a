from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("client/<uuid:client_uuid>/new/", views.note_create, name="create"),
    path("<uuid:note_uuid>/", views.note_detail, name="detail"),
    path("<uuid:note_uuid>/edit/", views.note_edit, name="edit"),
    path("<uuid:note_uuid>/sign/", views.note_sign, name="sign"),
    path("<uuid:note_uuid>/addenda/", views.addendum_add, name="addendum_add"),
    path("<uuid:note_uuid>/print/", views.note_print, name="print"),
]
