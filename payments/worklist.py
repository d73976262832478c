"""The channel team's and managers' waiting work on payments (see ``ecosystem.worklist``): payment files
awaiting another user's release, approved runs not fully paid, new IBANs awaiting confirmation."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commissions.models import RunStatus, SettlementRun
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from ecosystem.worklist import Work, register, waiting_work

from .models import BillingDetails, PaymentFile, PaymentFileStatus


def payment_files_to_release(user) -> Work:
    waiting = PaymentFile.objects.filter(status=PaymentFileStatus.AWAITING_RELEASE)
    found = waiting.aggregate(count=Count("id"), oldest=Min("created_at"))
    mine = waiting.filter(created_by=user).count()
    return Work(
        key="payment_files",
        label=_("Payment files awaiting release"),
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("payments:payment-file-list") + f"?status={PaymentFileStatus.AWAITING_RELEASE}",
        note=_("%(n)s made by you: another channel user releases them") % {"n": mine} if mine else "",
    )


def runs_not_fully_paid(user) -> Work:
    found = SettlementRun.objects.filter(status=RunStatus.APPROVED).aggregate(
        count=Count("id"), oldest=Min("approved_at")
    )
    return Work(
        key="runs_to_pay",
        label=_("Approved settlements not fully paid"),
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("commissions:settlement-list") + f"?status={RunStatus.APPROVED}",
        urgency="watch",
    )


def ibans_to_confirm(user) -> Work:
    return waiting_work(
        BillingDetails.objects.held(), oldest="iban_changed_at",
        key="ibans", label=_("IBAN changes awaiting confirmation"), url=reverse("payments:billing-list"),
    )  # fmt: skip


def register_work() -> None:
    register("payment_files", roles=CHANNEL_ONLY, count=payment_files_to_release, order=30)
    register("runs_to_pay", roles=INTERNAL_ROLES, count=runs_not_fully_paid, order=31)
    register("ibans", roles=CHANNEL_ONLY, count=ibans_to_confirm, order=32)
