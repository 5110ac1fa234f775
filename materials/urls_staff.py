from django.urls import path  # noqa: F401

app_name = "materials_staff"

urlpatterns: list = []
