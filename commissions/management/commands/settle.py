import contextlib

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ecosystem.periods import parse_period
from ecosystem.roles import INTERNAL_ROLES, role_of

from ...calculation import euros
from ...settlement import settle_now, settlement_request


class Command(BaseCommand):
    help = (
        "Compute the settlement of a period (2026-Q3 or 2026-07) as USER, who is recorded as its requester "
        "and so can never approve it (four eyes). With a broker: enqueued on the workers; --here: computed now."
    )

    def add_arguments(self, parser):
        parser.add_argument("period")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="The user requesting the run (an active channel or manager user): recorded, never its approver.",
        )
        parser.add_argument(
            "--here", action="store_true", help="Compute in this process instead of enqueuing on the workers."
        )

    def handle(self, *args, period: str, username: str, here: bool, **options):
        try:
            label = parse_period(period).label
        except ValueError as error:
            raise CommandError(str(error)) from error
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username}.")
        if not user.is_active:
            raise CommandError(f"{username} is deactivated: an active user requests settlements.")
        if role_of(user) not in INTERNAL_ROLES:
            raise CommandError(f"{username} is not in the channel team or a manager: they cannot run settlements.")
        try:
            run = settlement_request(period=label, user=user, enqueue=not here)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(str(m) for m in messages)) from error
        if here:
            # A failure is recorded as the run's failure reason by settle_now: reported below.
            with contextlib.suppress(Exception):
                settle_now(run.pk)
        run.refresh_from_db()
        preliminary = f" (preliminary: figures through {run.figures_through})" if run.preliminary else ""
        self.stdout.write(
            f"{run.period}: {run.status}{preliminary} — {run.line_count} lines, {euros(run.total)}, "
            f"{run.exception_count} exceptions; requested by {user.username}"
        )
        if run.status == "failed":
            raise CommandError(run.failure_reason)
