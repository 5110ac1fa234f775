from django.urls import path

from meetings import views_portal

app_name = "meetings_portal"

urlpatterns = [
    path("", views_portal.meeting_list, name="list"),
    path("propose/", views_portal.meeting_propose, name="propose"),
    path("<int:pk>/", views_portal.meeting_detail, name="detail"),
    path("<int:pk>/head-counts/new/", views_portal.head_count_new, name="head_count"),
    path("<int:pk>/not-held/new/", views_portal.not_held_new, name="not_held"),
    path("<int:pk>/changes/new/", views_portal.change_propose, name="change"),
    path("<int:pk>/leadership/", views_portal.leadership_propose, name="leadership"),
    path("<int:pk>/people/", views_portal.people_search, name="people_search"),
]
