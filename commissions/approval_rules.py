"""When a computed run may be approved, and by whom (SPEC §4.1 and §4.3).

- **Four eyes on every path**: whoever requested a computation of the run — on the page, through
  the API, with ``settle --as``, or the job they started — is recorded (``run_by``, and every one
  of them in ``requesters``) and can never approve it; a run nobody is recorded as having
  requested cannot be approved at all.
- **Preliminary runs**: a period may be computed before it ends; such a run is preliminary, its
  figures stop at the day it was computed, and it is approved only once computed after its last day.
- **Diffed against what is approved**: a run whose computation began before an earlier period was
  approved has not diffed that period's lines (SPEC §4.1, "re-settle and diff"); approving it could
  pay those corrections twice, so it is recomputed first.

The service (:func:`commissions.settlement.settlement_approve`) refuses with the first reason that
applies; the pages and the API show the same reason before anyone presses the button.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ecosystem.periods import period_label
from ecosystem.roles import Role, role_of

from .models import LOCKED_STATUSES, RunStatus, SettlementRun


def today() -> date:
    """The day as the business sees it (Europe/Paris); one place, so tests can set it."""
    return timezone.localdate()


def figures_of(period_end: date, computed_on: date) -> tuple[bool, date]:
    """(preliminary, the last day the figures cover) of a run of a period ending ``period_end``
    computed on ``computed_on``: computed on or before its last day, it is preliminary."""
    return computed_on <= period_end, min(computed_on, period_end)


def is_requester(run: SettlementRun, user) -> bool:
    """Whether ``user`` requested (or computed) any computation of ``run``."""
    if user is None or user.pk is None:
        return False
    return run.run_by_id == user.pk or run.requesters.filter(pk=user.pk).exists()


@dataclass(frozen=True)
class Refusal:
    field: str
    message: str
    four_eyes: bool = False  # the approver is one of the requesters: a 403 on the pages and the API


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def approval_refusal(run: SettlementRun, user, *, on: date | None = None) -> Refusal | None:
    """Why ``user`` may not approve ``run`` now, or None. Not the role: the callers check it first."""
    on = on or today()
    if run.status != RunStatus.COMPUTED:
        return Refusal(
            "status",
            _("Only a computed run can be approved; this one is %(status)s.")
            % {"status": run.get_status_display().lower()},
        )
    if run.run_by_id is None:
        return Refusal(
            "run_by",
            _(
                "No one is recorded as having requested this run, so four eyes cannot be checked: "
                "recompute it (page, API or settle --as USER), then another manager approves it."
            ),
        )
    if is_requester(run, user):
        return Refusal(
            "approved_by",
            _("Four eyes: you requested or computed this settlement, another manager must approve it."),
            four_eyes=True,
        )
    if on <= run.period_end:
        return Refusal(
            "period",
            _("%(period)s ends on %(end)s: a preliminary run can be approved only after its last day.")
            % {"period": period_label(run.period), "end": _day(run.period_end)},
        )
    if run.preliminary:
        return Refusal(
            "period",
            _(
                "%(period)s was computed before its last day (its figures stop at %(through)s): "
                "recompute it now that the period is over, then approve it."
            )
            % {"period": run.period, "through": _day(run.figures_through or run.period_end)},
        )
    approved_since = (
        SettlementRun.objects.filter(
            status__in=LOCKED_STATUSES, period_end__lt=run.period_start, approved_at__gte=run.started_at
        )
        .order_by("period_start")
        .first()
        if run.started_at
        else None
    )
    if approved_since is not None:
        return Refusal(
            "period",
            _(
                "%(earlier)s was approved after this run was computed, so its corrections are not in it: "
                "recompute %(period)s, then approve it."
            )
            % {"earlier": approved_since.period, "period": run.period},
        )
    return None


def may_approve(user) -> bool:
    return role_of(user) == Role.MANAGER
