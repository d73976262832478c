from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ecosystem.backups.dumps import BackupError, backup


class Command(BaseCommand):
    help = "Back the whole database up to a file (pg_dump custom format on PostgreSQL, a copy on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write (default var/backups/ecosystem-<time>.dump)")

    def handle(self, *args, path=None, **options):
        target = (
            Path(path)
            if path
            else Path(settings.VAR_DIR) / "backups" / (f"ecosystem-{datetime.now():%Y%m%d-%H%M%S}.dump")
        )
        try:
            backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {target} ({target.stat().st_size:,} bytes)"))
