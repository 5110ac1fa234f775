from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partners.services import areas_load

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "areas_sample.csv"


class Command(BaseCommand):
    help = (
        "Create or update local authority areas from a CSV (ons_code, name, nation, region, "
        "population). The full list comes from ONS: see partners/data/README.md. "
        f"A sample ships at {SAMPLE.relative_to(SAMPLE.parents[2])}."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8)")

    def handle(self, *args, file, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file: cannot read {file}: {exc}") from None
        try:
            counts = areas_load(text=text)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                + " (nothing loaded)"
            ) from None
        self.stdout.write(
            f"areas: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
