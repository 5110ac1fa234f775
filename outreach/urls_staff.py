from django.urls import path

from outreach import views

app_name = "outreach_staff"

urlpatterns = [
    path("", views.communications, name="list"),
    path("new/", views.communication_new, name="new"),
    path("<int:pk>/", views.communication_detail, name="detail"),
    path("<int:pk>/send/", views.communication_send, name="send"),
    path("<int:pk>/progress/", views.communication_progress, name="progress"),
]
