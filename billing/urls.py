from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_home, name="home"),
    path("exports/new/", views.export_start, name="export_start"),
    path("exports/<uuid:export_uuid>/", views.export_detail, name="export"),
    path("exports/<uuid:export_uuid>/void/", views.export_void, name="export_void"),
    path("exports/<uuid:export_uuid>/redo/", views.export_redo, name="export_redo"),
]
