from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ecosystem.periods import parse_period

from ...calculation import euros
from ...models import SettlementRun
from ...settlement import settle_now, settlement_request


class Command(BaseCommand):
    help = "Compute the settlement of a period (2026-Q3 or 2026-07). With a broker: enqueue it on the workers."

    def add_arguments(self, parser):
        parser.add_argument("period")
        parser.add_argument("--as", dest="username", default=None, help="The user recorded as having run it.")
        parser.add_argument(
            "--here", action="store_true", help="Compute in this process instead of enqueuing on the workers."
        )

    def handle(self, *args, period: str, username: str | None, here: bool, **options):
        try:
            label = parse_period(period).label
        except ValueError as error:
            raise CommandError(str(error)) from error
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username}.")
        try:
            run = settlement_request(period=label, user=user) if not here else None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if here:
            run, _ = SettlementRun.objects.get_or_create(
                period=label,
                defaults={"period_start": parse_period(label).start, "period_end": parse_period(label).end},
            )
            if run.is_locked:
                raise CommandError(f"{label} is {run.status}: it can no longer be recomputed.")
            run = settle_now(run.pk) or run
        run.refresh_from_db()
        self.stdout.write(
            f"{run.period}: {run.status} — {run.line_count} lines, {euros(run.total)}, {run.exception_count} exceptions"
        )
        if run.status == "failed":
            raise CommandError(run.failure_reason)
