from django.urls import path

from meetings import views_staff

app_name = "meetings_staff"

urlpatterns = [
    path("", views_staff.meeting_list, name="list"),
    path("new/", views_staff.meeting_new, name="new"),
    path("figures/", views_staff.figures, name="figures"),
    path("unplaced/", views_staff.unplaced_venues, name="unplaced"),
    path("proposals/", views_staff.proposal_list, name="proposals"),
    path("proposals/<int:pk>/decide/", views_staff.proposal_decide, name="proposal_decide"),
    path("<int:pk>/", views_staff.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views_staff.meeting_edit, name="edit"),
    path("<int:pk>/leadership/", views_staff.leadership_new, name="leadership"),
    path(
        "<int:pk>/leadership/<int:period_pk>/correct/",
        views_staff.leadership_correct,
        name="leadership_correct",
    ),
    path("<int:pk>/people/", views_staff.people_search, name="people_search"),
    path("<int:pk>/status/<slug:action>/", views_staff.meeting_status, name="status"),
]
