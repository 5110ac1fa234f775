from django.apps import AppConfig


class SmartnetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "smartnet"
    verbose_name = "smartnet core"
