from ecosystem.management.importing import CsvImportCommand
from insights.bookings import import_bookings


class Command(CsvImportCommand):
    help = (
        "Import bookings (CSV of SPEC §6): every row is checked first; upsert by external_id; a partner booking "
        "confirms the claim it matches, or waits in the reconciliation queue."
    )
    label = "bookings"
    importer = staticmethod(import_bookings)
