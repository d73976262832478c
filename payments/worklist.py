"""The channel team's and managers' waiting work on payments (see ``ecosystem.worklist``): payment files
awaiting another user's release, approved runs not fully paid, new IBANs awaiting confirmation."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commissions.models import RunStatus, SettlementRun
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from ecosystem.worklist import Work, register, waiting_work

from .models import BillingDetails, PaymentFile, PaymentFileStatus


def payment_files_to_release(user) -> Work:
    # Its count, oldest and how many the user made (who cannot release them), in one query.
    found = PaymentFile.objects.filter(status=PaymentFileStatus.AWAITING_RELEASE).aggregate(
        count=Count("id"), oldest=Min("created_at"), mine=Count("id", filter=Q(created_by=user))
    )
    mine = found["mine"]
    return Work(
        key="payment_files",
        label=_("Payment files awaiting release"),
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("payments:payment-file-list") + f"?status={PaymentFileStatus.AWAITING_RELEASE}",
        note=_("%(n)s made by you: another channel user releases them") % {"n": mine} if mine else "",
    )


def runs_not_fully_paid(user) -> Work:
    return waiting_work(
        SettlementRun.objects.filter(status=RunStatus.APPROVED), oldest="approved_at",
        key="runs_to_pay", label=_("Approved settlements not fully paid"),
        url=reverse("commissions:settlement-list") + f"?status={RunStatus.APPROVED}", urgency="watch",
    )  # fmt: skip


def ibans_to_confirm(user) -> Work:
    return waiting_work(
        BillingDetails.objects.held(), oldest="iban_changed_at",
        key="ibans", label=_("IBAN changes awaiting confirmation"), url=reverse("payments:billing-list"),
    )  # fmt: skip


def register_work() -> None:
    register("payment_files", roles=CHANNEL_ONLY, count=payment_files_to_release, order=30)
    register("runs_to_pay", roles=INTERNAL_ROLES, count=runs_not_fully_paid, order=31)
    register("ibans", roles=CHANNEL_ONLY, count=ibans_to_confirm, order=32)
