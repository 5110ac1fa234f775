from django.urls import path

from training import views_booking, views_public

app_name = "training"

urlpatterns = [
    path("certificates/", views_public.certificate_lookup, name="certificate_lookup"),
    path("certificates/<str:code>/", views_public.certificate_verify, name="certificate_verify"),
    path("book/<str:token>/", views_booking.book, name="book"),
]
