from django.urls import path

from meetings import views_public

app_name = "meetings"

urlpatterns = [
    path("", views_public.finder, name="finder"),
]
