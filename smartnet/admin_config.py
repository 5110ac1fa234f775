from django.contrib.admin.apps import AdminConfig


class SmartnetAdminConfig(AdminConfig):
    """The Django admin, behind the same second factor as the staff pages."""

    default_site = "smartnet.admin_site.AdminSite"
