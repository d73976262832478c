"""Paying partners (SPEC §5.2): billing details, self-billed invoices and their yearly sequence,
negative totals carried forward, SEPA payment files.

Everything issued here is a record: an invoice, a carried-forward amount or a payment file is never
edited once written (model guards, database constraints, and on invoices a trigger).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.roles import Role, role_of
from ecosystem.scoping import ScopedQuerySet
from ecosystem.validators import validate_bic, validate_iban, validate_vat_number

MONEY = {"max_digits": 14, "decimal_places": 2}

#: The legal mention of a partner under the VAT franchise (the usual case of an exempt partner).
FRANCHISE_MENTION = "TVA non applicable, art. 293 B du CGI"


class ImmutableRecordError(Exception):
    """Raised on any attempt to change or delete an issued invoice, a carried amount or a payment file."""


class RecordGuard:
    """Written once: refuses to save an existing row or to delete one."""

    immutable_message = "This record was issued: it never changes."

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecordError(self.immutable_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(self.immutable_message)


def mask_iban(iban: str) -> str:
    """``FR7630006000011234567890189`` → ``FR76 •••• •••• •••• •••• •••0 189``: the country, the check
    digits and the last four characters, grouped by four as printed on a bank's details."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) <= 8:
        return "•" * len(compact)
    shown = "".join(c if i < 4 or i >= len(compact) - 4 else "•" for i, c in enumerate(compact))
    return " ".join(shown[i : i + 4] for i in range(0, len(shown), 4))


# --- Billing details --------------------------------------------------------------------------------


class BillingDetailsQuerySet(ScopedQuerySet):
    """Only the partner's own admins and the channel team see billing details (SPEC §5.2): not the
    partner's reps, not the managers."""

    partner_lookup = "partner"

    def for_user(self, user) -> "BillingDetailsQuerySet":
        role = role_of(user)
        if role == Role.CHANNEL:
            return self.all()
        if role == Role.PARTNER_ADMIN and getattr(user, "partner_id", None):
            return self.for_partner(user.partner_id)
        return self.none()

    def held(self):
        """Details whose IBAN awaits a channel user's confirmation: the partner's payments wait too."""
        return self.filter(iban_confirmed_at__isnull=True)


class BillingDetails(models.Model):
    """Who a partner is on its invoices and where it is paid. A new or changed IBAN holds the partner's
    payments until a channel user other than the one who entered it confirms it."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.PROTECT, related_name="billing_details", verbose_name=_("partner")
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    address_line = models.CharField(_("address"), max_length=200)
    address_line_2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR", help_text=_("two letters: FR, BE, DE…"))
    vat_number = models.CharField(
        _("VAT number"), max_length=20, blank=True, validators=[validate_vat_number], help_text="FR40303265045"
    )
    vat_exempt = models.BooleanField(_("exempt from VAT"), default=False)
    vat_exemption_mention = models.CharField(
        _("VAT exemption mention"), max_length=200, blank=True, help_text=_("printed on its invoices")
    )
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, validators=[validate_bic])
    iban_changed_at = models.DateTimeField(_("IBAN entered at"))
    #: Who entered the IBAN (None: loaded by the system): never the one who confirms it.
    iban_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    iban_confirmed_at = models.DateTimeField(_("IBAN confirmed at"), null=True, blank=True)
    iban_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = BillingDetailsQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing details")
        verbose_name_plural = _("billing details")
        ordering = ["partner__name"]
        constraints = [
            models.CheckConstraint(
                name="billingdetails_vat_number_or_exemption",
                condition=(Q(vat_exempt=False) & ~Q(vat_number=""))
                | (Q(vat_exempt=True) & ~Q(vat_exemption_mention="")),
            ),
            models.CheckConstraint(
                name="billingdetails_iban_confirmed_by_another",
                condition=Q(iban_confirmed_by__isnull=True)
                | Q(iban_changed_by__isnull=True)
                | ~Q(iban_confirmed_by=F("iban_changed_by")),
            ),
            models.CheckConstraint(
                name="billingdetails_confirmation_complete",
                condition=Q(iban_confirmed_at__isnull=True, iban_confirmed_by__isnull=True)
                | Q(iban_confirmed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="billingdetails_iban_compact", condition=Q(iban__regex=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
            ),
            models.CheckConstraint(
                name="billingdetails_bic_format", condition=Q(bic__regex=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")
            ),
            models.CheckConstraint(name="billingdetails_country_code", condition=Q(country__regex=r"^[A-Z]{2}$")),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.partner_id})"

    @property
    def is_held(self) -> bool:
        return self.iban_confirmed_at is None

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.address_line, self.address_line_2, f"{self.postal_code} {self.city}") if line]


# --- Invoices -----------------------------------------------------------------------------------------


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceSequence(models.Model):
    """The last number issued in a year. The issuing transaction locks its row (``SELECT … FOR
    UPDATE``) until it commits, so concurrent approvals take numbers one after the other and a
    rolled-back issuing gives its numbers back: the sequence has no gap and no duplicate."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class InvoiceQuerySet(ScopedQuerySet):
    partner_lookup = "partner"


class Invoice(RecordGuard, models.Model):
    """A self-billed invoice (autofacturation) or credit note of one partner's statement in an approved
    run, with both parties' identities frozen at issue. Never edited, never deleted."""

    immutable_message = "An issued invoice never changes: correct it with the next run's lines."

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    sequence_number = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=11, choices=InvoiceKind.choices)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("partner")
    )
    run = models.ForeignKey("commissions.SettlementRun", on_delete=models.PROTECT, related_name="+")
    statement = models.OneToOneField("commissions.Statement", on_delete=models.PROTECT, related_name="invoice")
    issued_on = models.DateField(_("issued on"))
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField()
    period_end = models.DateField()
    line_count = models.PositiveIntegerField()
    net = models.DecimalField(_("net amount"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("total"), **MONEY)
    vat_exemption_mention = models.CharField(max_length=200, blank=True)
    # The parties as they were on the day of issue: the partner supplies the service, the vendor
    # receives it and issues the invoice in the partner's name (self-billing mandate).
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.TextField()
    supplier_siren = models.CharField(max_length=9)
    supplier_vat_number = models.CharField(max_length=20, blank=True)
    customer_name = models.CharField(max_length=200)
    customer_address = models.TextField()
    customer_siren = models.CharField(max_length=9)
    customer_vat_number = models.CharField(max_length=20)
    #: For a credit note: the numbers of the partner's invoices of the periods its lines correct.
    corrects_numbers = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence_number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence_number"], name="invoice_number_once_per_year"),
            models.UniqueConstraint(fields=["run", "partner"], name="invoice_one_per_run_partner"),
            models.CheckConstraint(
                name="invoice_kind_matches_sign",
                condition=Q(kind=InvoiceKind.INVOICE, net__gt=0) | Q(kind=InvoiceKind.CREDIT_NOTE, net__lt=0),
            ),
            # Within half a cent, not "=": SQLite keeps decimals as floating point (0.1 + 0.2 ≠ 0.3); the
            # amounts have two decimals, so on PostgreSQL this is exact equality.
            models.CheckConstraint(
                name="invoice_gross_is_net_plus_vat",
                condition=Q(
                    gross__gt=F("net") + F("vat") - Decimal("0.005"), gross__lt=F("net") + F("vat") + Decimal("0.005")
                ),
            ),
            models.CheckConstraint(
                name="invoice_vat_or_exemption_mention",
                condition=(Q(vat_rate=0) & ~Q(vat_exemption_mention=""))
                | Q(vat_rate__gt=0, vat_rate__lt=1, vat_exemption_mention=""),
            ),
            models.CheckConstraint(name="invoice_sequence_positive", condition=Q(sequence_number__gt=0)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def supplier_address_lines(self) -> list[str]:
        return self.supplier_address.splitlines()

    @property
    def customer_address_lines(self) -> list[str]:
        return self.customer_address.splitlines()


# --- Negative totals carried forward ----------------------------------------------------------------


class CarryForwardQuerySet(ScopedQuerySet):
    partner_lookup = "partner"

    def open(self):
        return self.filter(applied_in_run__isnull=True)


class CarryForward(RecordGuard, models.Model):
    """What a partner owes after an approved run whose result was negative (its credit note, VAT
    included), deducted from its next payment: recorded when the run is approved, applied when the
    partner's next run is approved (``applied_in_run``). What the next payment cannot absorb is
    carried again (``continues`` points back to the amount it carries on). Written once; only its
    application is recorded afterwards, by ``carry_forwards_apply`` (an ``update``)."""

    immutable_message = "A carried-forward amount never changes: it is applied once, by the next run's approval."

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="carry_forwards")
    from_run = models.ForeignKey("commissions.SettlementRun", on_delete=models.PROTECT, related_name="+")
    credit_note = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    continues = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    applied_in_run = models.ForeignKey(
        "commissions.SettlementRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CarryForwardQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "created_at", "id"]
        constraints = [
            models.CheckConstraint(name="carryforward_negative", condition=Q(amount__lt=0)),
            models.UniqueConstraint(fields=["partner", "from_run"], name="carryforward_once_per_partner_run"),
            models.CheckConstraint(
                name="carryforward_applied_in_a_later_run",
                condition=Q(applied_in_run__isnull=True) | ~Q(applied_in_run=F("from_run")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} from run {self.from_run_id}: {self.amount}"


# --- Payment files ------------------------------------------------------------------------------------


class InternalQuerySet(ScopedQuerySet):
    """Partner users see none of these rows."""

    partner_lookup = None


class HoldReason(models.TextChoices):
    NO_DETAILS = "no_details", _("No billing details")
    IBAN_UNCONFIRMED = "iban_unconfirmed", _("IBAN change awaiting confirmation")
    NOTHING_TO_PAY = "nothing_to_pay", _("Nothing to pay: an earlier negative total is deducted")


class PaymentFileStatus(models.TextChoices):
    AWAITING_RELEASE = "awaiting_release", _("Awaiting release")
    RELEASED = "released", _("Released")
    EXECUTED = "executed", _("Executed")
    CANCELLED = "cancelled", _("Cancelled")


#: A file in one of these states pays its invoices (or will): no other file may pay them.
LIVE_FILE_STATUSES = (PaymentFileStatus.AWAITING_RELEASE, PaymentFileStatus.RELEASED, PaymentFileStatus.EXECUTED)


class PaymentFile(RecordGuard, models.Model):
    """A SEPA credit transfer file (pain.001.001.03) for an approved run: one transfer per partner
    with something to pay, each invoice paid by one live file only. Partners left out are listed with
    the reason, as they were when the file was made.

    Four eyes: a file is made "awaiting release"; another channel user releases it (only then may it be
    sent to the bank), or it is cancelled before execution, with a reason, and its invoices can be paid
    by a new file. Marking it executed pays its transfers' statements. Its status is the only thing
    that changes after it is made (:mod:`payments.releasing`, by ``update``); ``save`` refuses the rest."""

    immutable_message = "A payment file never changes: make a new one for the partners it left out."

    run = models.ForeignKey("commissions.SettlementRun", on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    transfer_count = models.PositiveIntegerField(_("transfers"))
    total = models.DecimalField(_("total"), **MONEY)
    # The vendor's account as the settings named it when the file was made (the file never changes).
    debtor_name = models.CharField(max_length=200)
    debtor_iban = models.CharField(max_length=34)
    debtor_bic = models.CharField(max_length=11)
    #: ``[{"partner": id, "name": "…", "siren": "…", "reason": HoldReason, "amount": "12.00"}, …]``
    held = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentFileStatus.choices, default=PaymentFileStatus.AWAITING_RELEASE
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    #: The day the bank executed the transfers, and its reference for the batch (optional).
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(_("recorded executed at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    objects = InternalQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment file")
        verbose_name_plural = _("payment files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="paymentfile_total_positive", condition=Q(total__gt=0)),
            models.CheckConstraint(name="paymentfile_has_transfers", condition=Q(transfer_count__gt=0)),
            models.CheckConstraint(
                name="paymentfile_status_valid", condition=Q(status__in=[s.value for s in PaymentFileStatus])
            ),
            # Four eyes: whoever made the file never releases it.
            models.CheckConstraint(
                name="paymentfile_released_by_another",
                condition=Q(released_by__isnull=True) | ~Q(released_by=F("created_by")),
            ),
            models.CheckConstraint(
                name="paymentfile_released_or_executed_has_releaser",
                condition=~Q(status__in=[PaymentFileStatus.RELEASED, PaymentFileStatus.EXECUTED])
                | Q(released_by__isnull=False, released_at__isnull=False),
            ),
            models.CheckConstraint(
                name="paymentfile_executed_has_date",
                condition=~Q(status=PaymentFileStatus.EXECUTED)
                | Q(executed_on__isnull=False, executed_by__isnull=False),
            ),
            models.CheckConstraint(
                name="paymentfile_cancelled_has_reason",
                condition=~Q(status=PaymentFileStatus.CANCELLED)
                | (Q(cancelled_by__isnull=False, cancelled_at__isnull=False) & ~Q(cancel_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return self.message_id

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_FILE_STATUSES


class PaymentTransferQuerySet(InternalQuerySet):
    def live(self):
        return self.filter(cancelled=False)


class PaymentTransfer(RecordGuard, models.Model):
    """One credit transfer of a payment file: the partner's invoice (its number is the remittance
    information and the end-to-end id), to the IBAN confirmed when the file was made."""

    payment_file = models.ForeignKey(PaymentFile, on_delete=models.PROTECT, related_name="transfers")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="transfers")
    #: Set with its file's cancellation: a cancelled transfer pays nothing, and its invoice may be paid again.
    cancelled = models.BooleanField(default=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    #: What earlier negative totals took off the invoice's total (0 or negative).
    carried = models.DecimalField(default=Decimal("0"), **MONEY)
    creditor_name = models.CharField(max_length=70)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11)
    end_to_end_id = models.CharField(max_length=35)

    objects = PaymentTransferQuerySet.as_manager()

    class Meta:
        ordering = ["payment_file", "id"]
        constraints = [
            models.CheckConstraint(name="paymenttransfer_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="paymenttransfer_carried_not_positive", condition=Q(carried__lte=0)),
            # Each invoice is paid by one file only, among the files not cancelled.
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(cancelled=False), name="paymenttransfer_one_live_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id}: {self.amount}"

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)
