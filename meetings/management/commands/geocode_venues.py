"""Give every site and community venue without coordinates its map point."""

from django.core.management.base import BaseCommand

from meetings import geocoding


class Command(BaseCommand):
    help = (
        "Backfill coordinates for sites and community venues that have none: from the "
        "postcode table, else the postcode lookup service (POSTCODES_IO_URL). Says how many "
        "it could not place; those are flagged and listed at /staff/meetings/unplaced/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-lookup", action="store_true", help="Use the postcode table only.")

    def handle(self, *args, **options):
        remote = not options["no_lookup"] and geocoding.service_enabled()
        outcome = geocoding.backfill(remote=remote)
        self.stdout.write(
            f"Placed {outcome.placed} venue{'s' if outcome.placed != 1 else ''}; "
            f"could not place {outcome.unplaced}"
            + (" (listed at /staff/meetings/unplaced/)." if outcome.unplaced else ".")
        )
        if not remote:
            self.stdout.write("The postcode lookup service was not asked (POSTCODES_IO_URL unset).")
        for label in (outcome.unplaced_labels or [])[:50]:
            self.stdout.write(f"  not placed: {label}")
