"""The stage life-cycle of an opportunity, as pure functions (no database).

``registered → qualified → proposal → won | lost``. A partner moves its opportunities
forward (skipping a stage is allowed: a deal can be won straight from registration) or
marks them lost from any open stage; won and lost are final. Winning records the closing
date and the final amount; losing records the closing date. The channel team may correct
any stage (a won deal turned lost, a lost one reopened), under the same closing rules.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import CLOSED_STAGES, OPEN_STAGES, Stage

ORDER = [Stage.REGISTERED, Stage.QUALIFIED, Stage.PROPOSAL, Stage.WON]

TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.REGISTERED: frozenset({Stage.QUALIFIED, Stage.PROPOSAL, Stage.WON, Stage.LOST}),
    Stage.QUALIFIED: frozenset({Stage.PROPOSAL, Stage.WON, Stage.LOST}),
    Stage.PROPOSAL: frozenset({Stage.WON, Stage.LOST}),
    Stage.WON: frozenset(),
    Stage.LOST: frozenset(),
}


def next_stages(current: str, *, corrective: bool = False) -> list[str]:
    """Stages an opportunity at ``current`` may move to, in life-cycle order."""
    allowed = set(Stage.values) - {current} if corrective else TRANSITIONS.get(current, frozenset())
    return [stage for stage in Stage.values if stage in allowed]


def is_allowed(current: str, new: str, *, corrective: bool = False) -> bool:
    return new in next_stages(current, corrective=corrective)


def stage_change_errors(
    *,
    current: str,
    new: str,
    closed_on: date | None,
    amount: Decimal | None,
    today: date,
    corrective: bool = False,
) -> dict[str, list[str]]:
    """What is wrong with moving from ``current`` to ``new`` with these values; empty when nothing is.

    ``closed_on`` and ``amount`` are the values given with the change (``None``: not given).
    """
    errors: dict[str, list[str]] = {}
    if new not in Stage.values:
        return {"stage": [_("“%(stage)s” is not a stage.") % {"stage": new}]}
    if new == current:
        return {"stage": [_("The opportunity is already at this stage.")]}
    if not is_allowed(current, new, corrective=corrective):
        if current in CLOSED_STAGES:
            message = _("This opportunity is closed (%(stage)s); ask the channel team to correct it.")
            return {"stage": [message % {"stage": Stage(current).label}]}
        return {
            "stage": [
                _("An opportunity cannot move from %(current)s to %(new)s.")
                % {"current": Stage(current).label, "new": Stage(new).label}
            ]
        }
    if new == Stage.WON:
        if closed_on is None:
            errors["closed_on"] = [_("A won deal needs the date it was closed.")]
        if amount is None:
            errors["amount"] = [_("A won deal needs its final amount.")]
        elif amount <= 0:
            errors["amount"] = [_("The final amount of a won deal must be more than zero.")]
    if new in CLOSED_STAGES and closed_on is not None and closed_on > today:
        errors["closed_on"] = [_("A deal cannot be closed in the future.")]
    if new in OPEN_STAGES and closed_on is not None:
        errors["closed_on"] = [_("Only a won or lost deal has a closing date.")]
    return errors
