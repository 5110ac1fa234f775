from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import ALL_ROLES, PORTAL_ROLES, STAFF_ROLES


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    nav_items = [
        NavItem("Meetings", "meetings_staff:list", STAFF_ROLES, "Meetings"),
        NavItem("Proposals", "meetings_staff:proposals", STAFF_ROLES, "Meetings"),
        NavItem("Network figures", "meetings_staff:figures", STAFF_ROLES, "Meetings"),
        NavItem("Our meetings", "meetings_portal:list", PORTAL_ROLES, "Meetings"),
        NavItem("Find a meeting", "meetings:finder", ALL_ROLES, "Meetings"),
    ]

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from meetings import feeds_cache, geocoding, postcodes, search, selectors, services
        from meetings.models import Meeting
        from partners import personal_data, postcode_lookup
        from partners.models import Site
        from smartnet import search as header_search
        from training import person_sections

        header_search.register(
            "meetings", title="Meetings", roles=STAFF_ROLES, find=search.find_meetings, order=30
        )

        # A person's data: the meetings they facilitated (export); erasure has
        # nothing to delete here, as the Person row itself is anonymised.
        personal_data.register(
            "meetings",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
        # A new site's place and area, from the postcode table.
        postcode_lookup.register(postcodes.site_postcode)
        # The person's training page lists the meetings they facilitate now.
        person_sections.register(
            "meetings",
            title="Meetings they facilitate",
            items=selectors.facilitated_meeting_lines,
            empty="None at present.",
            order=10,
        )

        # Any save (services, the admin) or a site's address changing makes the
        # cached feeds stale; bump their version once the change commits.
        def stale(**kwargs):
            from django.db import transaction

            transaction.on_commit(feeds_cache.invalidate)

        # Wherever a site is saved (partners' services, the setup screens, the
        # admin), its coordinates come from the postcode table, else from the
        # lookup service after commit (meetings.geocoding).
        post_save.connect(
            geocoding.on_site_saved, sender=Site, dispatch_uid="meetings-geocode-site"
        )

        for model in (Meeting, Site):
            post_save.connect(stale, sender=model, dispatch_uid=f"meetings-feed-{model.__name__}")
            post_delete.connect(
                stale, sender=model, dispatch_uid=f"meetings-feed-del-{model.__name__}"
            )
