from django.urls import path

from meetings import views_facilitator

app_name = "meetings_facilitator"

urlpatterns = [
    path("<int:pk>/", views_facilitator.meeting_detail, name="detail"),
    path("<int:pk>/head-counts/new/", views_facilitator.head_count_new, name="head_count"),
    path("<int:pk>/not-held/new/", views_facilitator.not_held_new, name="not_held"),
    path("<int:pk>/changes/new/", views_facilitator.change_propose, name="change"),
]
