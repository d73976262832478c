from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecosystem.backups.dumps import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's content with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, yes=False, **options):
        if not yes and input(f"Replace the whole database with {path}? [y/N] ").strip().lower() != "y":
            raise CommandError("Restore cancelled.")
        try:
            restore(Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
