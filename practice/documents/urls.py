from django.urls import path

from practice.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:job_uuid>/", views.job_detail, name="job"),
    path("<uuid:job_uuid>/status/", views.job_status, name="job_status"),
    path("<uuid:job_uuid>/download/<slug:key>/", views.job_download, name="download"),
]
