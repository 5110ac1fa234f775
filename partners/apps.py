from django.apps import AppConfig

from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role

MONEY_ROLES = frozenset({Role.STAFF_ADMIN, Role.FINANCE})


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    nav_items = [
        ("Partners", "partners_staff:partner_list", STAFF_ROLES),
        ("Renewals", "partners_staff:renewals", STAFF_ROLES),
        ("Overdue invoices", "partners_staff:overdue", STAFF_ROLES),
        ("Block coverage", "partners_staff:coverage", STAFF_ROLES),
        ("Site requests", "partners_staff:site_requests", STAFF_ROLES),
        ("Pending contacts", "partners_staff:pending_contacts", frozenset({Role.STAFF_ADMIN})),
        ("Finance export", "partners_staff:xero_export", MONEY_ROLES),
        ("Portal", "portal:home", PORTAL_ROLES),
        ("Invoices", "portal:invoices", PORTAL_ROLES),
    ]

    def ready(self) -> None:
        from partners import exports, personal_data, services

        personal_data.register(
            "partners_renewal_reminders",
            export=exports.reminders_export,
            erase=services.reminders_erase,
        )
        personal_data.register(
            "partners_pending_contacts",
            export=exports.pending_contacts_export,
            erase=services.pending_contacts_erase,
        )
