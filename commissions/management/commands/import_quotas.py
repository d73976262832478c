from commissions.quota_import import import_quotas
from ecosystem.management.importing import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Import quotas (CSV partner_siren,period,amount): every row is checked first; one quota per partner "
        "and period, upserted; a period whose settlement is approved is refused."
    )
    label = "quotas"
    importer = staticmethod(import_quotas)
