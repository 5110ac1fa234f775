"""Under /accounts/invitation/ (names without a namespace, like the other account pages)."""

from django.urls import path

from partners import views_accounts

urlpatterns = [
    path("", views_accounts.invitation_request, name="invitation_request"),
    path("<str:token>/", views_accounts.invitation_accept, name="invitation_accept"),
]
