"""Load UK postcode centroids for the meeting finder.

python manage.py load_postcodes FILE.csv     # ONSPD, or a postcode-district CSV
python manage.py load_postcodes --sample     # the small sample shipped with the app
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from meetings.postcodes import SAMPLE_FILE, BadPostcodeFile, load_file


class Command(BaseCommand):
    help = "Load postcode (or postcode district) centroids from an ONSPD-style CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV file (ONS Postcode Directory or similar)")
        parser.add_argument("--sample", action="store_true", help="load the shipped sample")

    def handle(self, *args, file=None, sample=False, **options):
        if not file and not sample:
            raise CommandError("Give a CSV file, or --sample for the shipped sample.")
        path = SAMPLE_FILE if sample else Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            units, districts = load_file(path)
        except BadPostcodeFile as exc:
            raise CommandError(str(exc)) from exc
        if options.get("verbosity", 1):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {units} postcodes and {districts} districts from {path}."
                )
            )
