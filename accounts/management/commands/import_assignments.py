from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ecosystem.csvio import CsvFileError

from ...assigning import import_assignments


class Command(BaseCommand):
    help = "Import assignments (CSV: account_siren,partner_siren,role,valid_from). Every row is checked first."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--good-rows-only", action="store_true", help="Apply the good rows even if some are bad.")

    def handle(self, *args, file: Path, good_rows_only: bool, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        try:
            result = import_assignments(file.read_bytes(), good_rows_only=good_rows_only)
        except CsvFileError as error:
            raise CommandError(f"{file}: {error}") from error
        for error in result.errors[:50]:
            self.stderr.write(f"{file}: {error}")
        if not result.written:
            raise CommandError(_("%(count)s problem(s); nothing was written.") % {"count": len(result.errors)})
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} created, {result.ended} ended, {result.unchanged} unchanged.")
        )
