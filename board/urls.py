"""/board/: issued board reports for trustees (and staff), read-only."""

from django.urls import path

from board import views

app_name = "board"

urlpatterns = [
    path("", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
