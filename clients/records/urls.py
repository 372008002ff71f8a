from django.urls import path

from clients.records import views

app_name = "records"

# Mounted at the root: the paths are those the chart and the chart export had
# before they moved here (bookmarks keep working).
urlpatterns = [
    path("clients/<uuid:client_uuid>/", views.chart, name="chart"),
    path("documents/chart-export/", views.chart_export, name="chart_export"),
]
