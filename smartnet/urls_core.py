from django.contrib.auth import views as auth_views
from django.urls import path

from smartnet import two_factor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/jobs", views.healthz_jobs, name="healthz_jobs"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("staff/search/", views.staff_search, name="staff_search"),
    path("staff/jobs/", views.staff_jobs, name="jobs_staff"),
    path("staff/jobs/<int:run_id>/rerun/", views.staff_job_rerun, name="jobs_staff_rerun"),
    path("staff/two-factor/", views.staff_two_factor, name="two_factor_staff"),
    path(
        "staff/two-factor/<int:user_id>/reset/",
        views.staff_two_factor_reset,
        name="two_factor_staff_reset",
    ),
]
