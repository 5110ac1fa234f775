from django.urls import path

from meetings import views_public

app_name = "meetings"

urlpatterns = [
    path("", views_public.finder_page, name="finder"),
    path("feed.json", views_public.feed_json, name="feed"),
    path("feed/<slug:region>.json", views_public.region_feed_json, name="region_feed"),
    path("calendar.ics", views_public.calendar_ics, name="calendar"),
    path("regions/<slug:region>.pdf", views_public.region_pdf, name="region_pdf"),
    path("<slug:slug>.ics", views_public.meeting_ics, name="meeting_ics"),
    path("<slug:slug>/", views_public.meeting_page, name="detail"),
]
