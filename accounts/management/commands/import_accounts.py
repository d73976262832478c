from accounts.importing import import_accounts
from ecosystem.management.importing import CsvImportCommand


class Command(CsvImportCommand):
    help = "Import the select-account list (CSV of SPEC §6): every row is checked first; upsert by SIREN."
    label = "accounts"
    importer = staticmethod(import_accounts)
