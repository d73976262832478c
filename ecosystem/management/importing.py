"""The shared body of the CSV import commands (accounts, bookings)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ecosystem.csvio import CsvFileError


class CsvImportCommand(BaseCommand):
    """``manage.py import_<what> FILE [--good-rows-only]``: every row checked first, a progress bar,
    the problems on stderr, a non-zero exit when nothing was written. Subclasses name ``label``
    and ``importer`` (a function ``(data, *, good_rows_only, report) -> result``)."""

    label = ""
    importer = None

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--good-rows-only", action="store_true", help="Import the good rows even when some rows are bad."
        )

    def handle(self, *args, file: Path, good_rows_only: bool, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        bar = tqdm(total=1, unit="row", desc=self.label, disable=options["verbosity"] == 0)

        def report(done, total=None, message=""):
            if total:
                bar.total = total
            bar.n = done
            bar.set_postfix_str(message)
            bar.refresh()

        try:
            result = self.importer(file.read_bytes(), good_rows_only=good_rows_only, report=report)
        except CsvFileError as error:
            raise CommandError(f"{file}: {error}") from error
        finally:
            bar.close()
        for error in result.errors[:50]:
            self.stderr.write(f"{file}: {error}")
        if len(result.errors) > 50:
            self.stderr.write(_("… and %(count)s more problems.") % {"count": len(result.errors) - 50})
        if not result.written:
            raise CommandError(
                _(
                    "%(count)s problem(s) in %(rows)s rows; nothing was written. "
                    "Fix the file, or pass --good-rows-only to import the good rows."
                )
                % {"count": len(result.errors), "rows": result.total_rows}
            )
        # An importer may count more outcomes (bookings: confirmed claims, queued for reconciliation).
        extra = "".join(f", {getattr(result, name)} {name}" for name in getattr(result, "extra_counts", ()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total_rows} rows: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.skipped} skipped{extra}."
            )
        )
