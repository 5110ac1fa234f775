from django.urls import path

from training import views_booking, views_portal

app_name = "training_portal"

urlpatterns = [
    path("", views_portal.home, name="home"),
    path("completions/<int:pk>/certificate.pdf", views_portal.certificate, name="certificate"),
    path("events/", views_booking.portal_events, name="events"),
    path("events/<int:pk>/", views_booking.portal_event, name="event"),
]
