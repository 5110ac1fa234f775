"""/staff/board/: objectives, actions, overrides, board meetings and reports."""

from django.urls import path

from board import views

app_name = "board_staff"

urlpatterns = [
    path("", views.objectives, name="objectives"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/override/", views.objective_override, name="objective_override"),
    path(
        "objectives/<int:pk>/override/clear/",
        views.objective_clear_override,
        name="objective_clear_override",
    ),
    path("objectives/<int:pk>/archive/", views.objective_archive, name="objective_archive"),
    path("objectives/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:pk>/override/", views.action_override, name="action_override"),
    path(
        "actions/<int:pk>/override/clear/",
        views.action_clear_override,
        name="action_clear_override",
    ),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/report/", views.report_generate, name="report_generate"),
    path("reports/", views.reports_staff, name="reports"),
    path("reports/<int:pk>/", views.report_detail_staff, name="report_detail"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/issue/", views.report_issue, name="report_issue"),
    path("reports/<int:pk>/report.pdf", views.report_pdf_staff, name="report_pdf"),
]
