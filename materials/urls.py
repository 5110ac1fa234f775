from django.urls import path

from materials import views

app_name = "materials"

urlpatterns = [
    path("request/", views.request_form, name="request"),
    path("request/sign-in/", views.sign_in, name="sign_in"),
    path("request/ask/", views.ask_unverified, name="ask"),
]
