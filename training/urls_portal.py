from django.urls import path

from training import views_portal

app_name = "training_portal"

urlpatterns = [
    path("", views_portal.home, name="home"),
    path("completions/<int:pk>/certificate.pdf", views_portal.certificate, name="certificate"),
]
