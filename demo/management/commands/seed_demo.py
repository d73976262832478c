import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo.load import DEMO_USERS, PASSWORD, existing_data, load_demo
from ecosystem.roles import Role

URL = "http://127.0.0.1:8000/"


def _positive_scale(value: str) -> float:
    scale = float(value)
    if not 0 < scale <= 10:
        raise ValueError(value)
    return scale


class Command(BaseCommand):
    help = (
        "Load realistic, reproducible demo data: partners, select and other accounts, assignments, two years "
        "of opportunities with deal registrations, roadshows, secondments, a commission program, quotas, "
        "targets and one user per role. Everything in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL partners, accounts, opportunities, commissions, settlements and targets, "
            "the demo users and every partner user.",
        )
        parser.add_argument(
            "--scale", type=_positive_scale, default=1.0, help="Multiply every count (0.02 for tests). Default 1."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: same seed, same data. Default 2026.")
        parser.add_argument(
            "--settle",
            action="store_true",
            help="Then settle every closed quarter (the channel user runs, the manager approves all but the latest).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty database; with data already there, say so and change nothing (make demo).",
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Pretend today is this date (YYYY-MM-DD)."
        )

    def handle(self, *args, reset: bool, scale: float, seed: int, settle: bool, today: date | None, **options):
        verbosity = options["verbosity"]
        found = existing_data()
        if found and options.get("if_empty") and not reset:
            self.stdout.write(
                "The database already holds data: kept as it is (`manage.py seed_demo --reset` reloads the demo). "
                f"Open {URL} and log in with the demo logins (password {PASSWORD})."
            )
            return
        if found and not reset:
            what = ", ".join(f"{count:,} {name}" for name, count in found.items())
            raise CommandError(
                f"The database already holds data ({what}). Nothing was written. "
                "Run `manage.py seed_demo --reset` to delete it and load the demo data again."
            )

        def progress(desc: str, total: int):
            return tqdm(
                total=total, desc=f"{desc:<32}", unit=" rows", unit_scale=True, file=sys.stderr,
                disable=verbosity == 0, leave=verbosity > 1 or total > 1, dynamic_ncols=True,
            )  # fmt: skip

        try:
            summary = load_demo(seed=seed, scale=scale, today=today, reset=reset, settle=settle, progress=progress)
        except Exception as error:
            raise CommandError(
                f"Loading the demo data failed, nothing was written: {type(error).__name__}: {error}"
            ) from error
        if verbosity:
            self._report(summary)

    def _report(self, summary) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS(
            f"Demo data loaded in {summary.seconds:.1f} s (seed {summary.seed}, scale {summary.scale:g}, "
            f"today {summary.today:%Y-%m-%d})."
        ))  # fmt: skip
        width = max(len(name) for name in summary.counts)
        for name, count in summary.counts.items():
            out(f"  {name:<{width}}  {count:>8,}")
        shares = [(label, share) for label, share in summary.shares if share is not None]
        if shares:
            out("  ecosystem share by quarter: " + "  ".join(f"{label} {share:.1%}" for label, share in shares))
        for period, status, total in summary.settlements:
            out(f"  settlement {period}: {status:<9} {total:>14,.2f} EUR")
        out("")
        out(f"Open {URL} and log in with one of these (password {PASSWORD}):")
        rows = [("login", "role", "partner")] + [
            (username, str(Role(role).label), summary.demo_partner if on_partner else "—")
            for username, role, _, _, on_partner, _ in DEMO_USERS
        ]
        widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
        rule = "+".join("-" * (w + 2) for w in widths)
        out(f"  +{rule}+")
        for index, row in enumerate(rows):
            out("  | " + " | ".join(f"{str(cell):<{widths[i]}}" for i, cell in enumerate(row)) + " |")
            if index == 0:
                out(f"  +{rule}+")
        out(f"  +{rule}+")
        out("  `admin` also opens the Django admin at " + URL + "admin/")
