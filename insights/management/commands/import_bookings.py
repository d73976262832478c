from ecosystem.management.importing import CsvImportCommand
from insights.bookings import import_bookings


class Command(CsvImportCommand):
    help = "Import bookings (CSV of SPEC §6): every row is checked first; upsert of won deals by external_id."
    label = "bookings"
    importer = staticmethod(import_bookings)
