from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from smartnet.two_factor import needs_second_factor, redirect_to_second_factor


class AdminSite(admin.AdminSite):
    site_header = "smartnet administration"
    site_title = "smartnet admin"

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and not needs_second_factor(request)

    def login(self, request, extra_context=None):
        """One sign-in for the whole site: the admin uses the site's own."""
        if needs_second_factor(request):
            return redirect_to_second_factor(request)
        target = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('login')}?next={target}")
