from django.urls import path

from training import views_staff as v

app_name = "training_staff"

urlpatterns = [
    path("people/", v.people, name="people"),
    path("people/<int:pk>/", v.person, name="person"),
    path("people/<int:pk>/profile/", v.person_profile, name="person_profile"),
    path("people/<int:pk>/completions/", v.person_completion_add, name="person_completion_add"),
    path("people/<int:pk>/enrol/", v.person_enrol, name="person_enrol"),
    path("completions/<int:pk>/certificate.pdf", v.certificate, name="certificate"),
    path("courses/", v.courses, name="courses"),
    path("courses/map/", v.course_map, name="course_map"),
    path("imports/", v.imports, name="imports"),
    path("imports/<int:pk>/", v.import_detail, name="import_detail"),
    path("imports/<int:pk>/rejected.csv", v.import_rejections_csv, name="import_rejections_csv"),
    path("matches/", v.possible_matches, name="possible_matches"),
    path("matches/<int:pk>/decide/", v.possible_match_decide, name="possible_match_decide"),
    path("courses/new/", v.course_new, name="course_new"),
    path("courses/<int:pk>/edit/", v.course_edit, name="course_edit"),
    path("events/", v.events, name="events"),
    path("events/new/", v.event_new, name="event_new"),
    path("events/<int:pk>/", v.event_detail, name="event_detail"),
    path("events/<int:pk>/book/", v.event_book, name="event_book"),
    path("events/<int:pk>/attendance/", v.event_attendance, name="event_attendance"),
    path("champions/", v.champions, name="champions"),
    path("champions.csv", v.champions_csv, name="champions_csv"),
    path("mobility/", v.mobility, name="mobility"),
]
