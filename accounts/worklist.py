"""The channel team's waiting work on coverage (see ``ecosystem.worklist``)."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from ecosystem.worklist import Work, register

from .coverage import STALE_DAYS, stale_filter
from .models import Account, Assignment, AssignmentRole


def coverage_gaps(user) -> Work:
    primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
    found = Account.objects.select().aggregate(uncovered=Count("id", filter=~Q(Exists(primary))))
    return Work(
        key="uncovered",
        label=_("Select accounts without a partner"),
        count=found["uncovered"],
        url=reverse("account-list") + "?is_select=true&assigned=false",
        urgency="watch",
    )


def stale_coverage(user) -> Work:
    count = Account.objects.select().filter(stale_filter(timezone.localdate())).count()
    return Work(
        key="stale",
        label=_("Stale coverage: no opportunity from the primary partner in %(days)s days") % {"days": STALE_DAYS},
        count=count,
        url=reverse("account-list") + "?is_select=true&stale=true",
        urgency="watch",
    )


def register_work() -> None:
    register("uncovered", roles=CHANNEL_ONLY, count=coverage_gaps, order=60)
    register("stale", roles=INTERNAL_ROLES, count=stale_coverage, order=61)
