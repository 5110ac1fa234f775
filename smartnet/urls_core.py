from django.contrib.auth import views as auth_views
from django.urls import path

from smartnet import password_reset, two_factor, views
from smartnet.access import public

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset: Django's views and URL names, our form, e-mail and limits.
    path(
        "accounts/password_reset/",
        public(password_reset.ResetView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        public(password_reset.ResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        public(password_reset.ResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        public(password_reset.ResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("staff/search/", views.staff_search, name="staff_search"),
    path("staff/two-factor/", views.staff_two_factor, name="two_factor_staff"),
    path(
        "staff/two-factor/<int:user_id>/reset/",
        views.staff_two_factor_reset,
        name="two_factor_staff_reset",
    ),
]
