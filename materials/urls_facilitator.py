from django.urls import path

from materials import views_home

app_name = "facilitator"

urlpatterns = [
    path("", views_home.home, name="home"),
]
