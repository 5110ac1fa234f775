from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [path("meetings/<slug:slug>/", views.report, name="report")]
