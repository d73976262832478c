from django.core.management.base import BaseCommand
from tqdm import tqdm

from ...snapshots import STEPS, take_snapshot


class Command(BaseCommand):
    help = "Compute the dashboards' figures (share, coverage, commission cost, levers) now; the dashboards read them."

    def handle(self, *args, **options):
        bar = tqdm(total=STEPS, unit="step", desc="snapshot", disable=options["verbosity"] == 0)

        def report(done, total=None, message=""):
            bar.n = done
            bar.set_postfix_str(message)
            bar.refresh()

        try:
            run = take_snapshot(report)
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(f"Snapshot #{run.pk}: {run.cell_count} cells in {run.seconds:.2f} s; now current.")
        )
