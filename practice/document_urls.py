from django.urls import path

from practice import document_views as views

app_name = "documents"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("chart-export/", views.chart_export, name="chart_export"),
    path(
        "contact-note/<uuid:note_uuid>/print/", views.contact_note_print, name="contact_note_print"
    ),
    path(
        "progress-note/<uuid:note_uuid>/print/",
        views.progress_note_print,
        name="progress_note_print",
    ),
    path("<uuid:job_uuid>/", views.job_detail, name="job"),
    path("<uuid:job_uuid>/status/", views.job_status, name="job_status"),
    path("<uuid:job_uuid>/download/<slug:key>/", views.job_download, name="download"),
]
