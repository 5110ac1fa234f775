from django.apps import AppConfig

from smartnet.roles import PORTAL_ROLES


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    nav_items = [("Portal", "portal:home", PORTAL_ROLES)]
