from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role

MONEY_ROLES = frozenset({Role.STAFF_ADMIN, Role.FINANCE})
ADMIN = frozenset({Role.STAFF_ADMIN})


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    nav_items = [
        NavItem("Partners", "partners_staff:partner_list", STAFF_ROLES, "Partners"),
        NavItem("Block coverage", "partners_staff:coverage", STAFF_ROLES, "Partners"),
        NavItem("Site requests", "partners_staff:site_requests", STAFF_ROLES, "Partners"),
        NavItem(
            "Pending contacts",
            "partners_staff:pending_contacts",
            frozenset({Role.STAFF_ADMIN}),
            "Partners",
        ),
        NavItem("People", "partners_staff:people", ADMIN, "Partners"),
        NavItem("Invitations", "partners_staff:invitations", ADMIN, "Partners"),
        NavItem("Accounts", "partners_staff:accounts", ADMIN),
        NavItem("Renewals", "partners_staff:renewals", STAFF_ROLES, "Finance"),
        NavItem("Overdue invoices", "partners_staff:overdue", STAFF_ROLES, "Finance"),
        NavItem("Finance export", "partners_staff:xero_export", MONEY_ROLES, "Finance"),
        NavItem("Our organisation", "portal:home", PORTAL_ROLES, "Partners", exact=True),
        NavItem("Invoices", "portal:invoices", PORTAL_ROLES, "Finance"),
    ]
    # Partner and commissioner contacts start at their portal.
    role_homes = dict.fromkeys(PORTAL_ROLES, "portal:home")

    def ready(self) -> None:
        from partners import exports, personal_data, search, services
        from smartnet import search as header_search

        header_search.register(
            "partners",
            title="Partners",
            roles=STAFF_ROLES,
            find=search.find_organisations,
            order=10,
        )
        header_search.register(
            "invoices", title="Invoices", roles=STAFF_ROLES, find=search.find_invoices, order=40
        )

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
        personal_data.register(
            "partners_invitations",
            export=exports.invitations_export,
            erase=services.invitations_erase,
        )
