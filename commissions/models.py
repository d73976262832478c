"""Commission programs and rules (SPEC §4), settlement runs, statements, lines, disputes."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.fields import ChoiceListField
from ecosystem.scoping import ScopedQuerySet
from partners.models import PartnerKind, PartnerTier

from . import explaining, line_parts

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 6}


class InternalQuerySet(ScopedQuerySet):
    """Internal configuration: partner users see none of it."""

    partner_lookup = None


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Program(models.Model):
    """A commission program: its rules apply while it is active and within its dates."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()
    objects = InternalQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                name="program_dates_in_order", condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from"))
            ),
            models.CheckConstraint(name="program_status_valid", condition=Q(status__in=ProgramStatus.values)),
            models.CheckConstraint(name="program_currency_eur", condition=Q(currency="EUR")),
        ]

    def __str__(self) -> str:
        return self.name


class Stacking(models.TextChoices):
    BASE = "base", _("Base (the highest priority pays)")
    BONUS = "bonus", _("Bonus (adds on top)")


class Calculation(models.TextChoices):
    PERCENT = "percent", _("Percent of the amount")
    FLAT = "flat", _("Flat amount per deal")
    TIERED = "tiered", _("Tiered bands")


class TierMode(models.TextChoices):
    MARGINAL = "marginal", _("Marginal")
    RETROACTIVE = "retroactive", _("Retroactive")


class SelectOnly(models.TextChoices):
    ANY = "any", _("Any account")
    YES = "yes", _("Select accounts only")
    NO = "no", _("Other accounts only")


class Rule(models.Model):
    """How a program pays a deal: conditions, calculation, limits, accelerator, effective dates."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(_("name"), max_length=200)
    priority = models.IntegerField(_("priority"), default=0)
    stacking = models.CharField(_("stacking"), max_length=5, choices=Stacking.choices, default=Stacking.BASE)
    # Conditions (empty = any).
    partner_tiers = ChoiceListField(_("partner tiers"), choices_class=PartnerTier)
    partner_kinds = ChoiceListField(_("partner kinds"), choices_class=PartnerKind)
    product_lines = ChoiceListField(_("product lines"), choices_class=ProductLine)
    sectors = ChoiceListField(_("sectors"), choices_class=Sector)
    regions = ChoiceListField(_("regions"), choices_class=Region)
    select_only = models.CharField(_("select accounts"), max_length=3, choices=SelectOnly.choices, default="any")
    min_amount = models.DecimalField(_("minimum amount"), null=True, blank=True, **MONEY)
    max_amount = models.DecimalField(_("maximum amount"), null=True, blank=True, **MONEY)
    registration_required = models.BooleanField(_("approved registration required"), default=False)
    # Calculation.
    calculation = models.CharField(_("calculation"), max_length=10, choices=Calculation.choices)
    rate = models.DecimalField(_("rate"), null=True, blank=True, help_text=_("0.08 for 8 %"), **RATE)
    flat_amount = models.DecimalField(_("flat amount"), null=True, blank=True, **MONEY)
    bands = models.JSONField(
        _("bands"), default=list, blank=True, help_text=_('[["0", "0.05"], ["100000", "0.08"]]: from amount, rate')
    )
    tier_mode = models.CharField(_("tier mode"), max_length=11, choices=TierMode.choices, default="marginal")
    # Limits and accelerator.
    cap_per_deal = models.DecimalField(_("cap per deal"), null=True, blank=True, **MONEY)
    cap_per_period = models.DecimalField(_("cap per period and partner"), null=True, blank=True, **MONEY)
    accelerator_threshold = models.DecimalField(
        _("accelerator threshold"), max_digits=6, decimal_places=4, null=True, blank=True, help_text=_("1.0 = quota")
    )
    accelerator_multiplier = models.DecimalField(
        _("accelerator multiplier"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    # Effective dates within the program.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )

    history = HistoricalRecords()
    objects = InternalQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-priority", "id"]
        constraints = [
            models.CheckConstraint(
                name="rule_rate_between_0_and_1", condition=Q(rate__isnull=True) | Q(rate__gte=0, rate__lte=1)
            ),
            models.CheckConstraint(
                name="rule_calculation_has_its_parameter",
                condition=Q(calculation="percent", rate__isnull=False)
                | Q(calculation="flat", flat_amount__isnull=False)
                | Q(calculation="tiered"),
            ),
            models.CheckConstraint(
                name="rule_dates_in_order",
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(
                name="rule_amounts_in_order",
                condition=Q(min_amount__isnull=True) | Q(max_amount__isnull=True) | Q(max_amount__gte=F("min_amount")),
            ),
            models.CheckConstraint(
                name="rule_caps_not_negative",
                condition=(Q(cap_per_deal__isnull=True) | Q(cap_per_deal__gte=0))
                & (Q(cap_per_period__isnull=True) | Q(cap_per_period__gte=0))
                & (Q(flat_amount__isnull=True) | Q(flat_amount__gte=0)),
            ),
            models.CheckConstraint(
                name="rule_accelerator_complete",
                # Both or neither: the IS NOT NULLs keep a half-set accelerator from passing as "unknown".
                condition=Q(accelerator_threshold__isnull=True, accelerator_multiplier__isnull=True)
                | Q(
                    accelerator_threshold__isnull=False,
                    accelerator_multiplier__isnull=False,
                    accelerator_threshold__gt=0,
                    accelerator_multiplier__gte=1,
                ),
            ),
            models.CheckConstraint(name="rule_stacking_valid", condition=Q(stacking__in=Stacking.values)),
            models.CheckConstraint(name="rule_calculation_valid", condition=Q(calculation__in=Calculation.values)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.program})"


class QuotaQuerySet(ScopedQuerySet):
    # A partner sees its own quotas (its scorecard and accelerators are measured against them).
    partner_lookup = "partner"


class Quota(models.Model):
    """A partner's won-amount quota for a period: what the accelerators measure against.

    Entered by the channel team (:mod:`commissions.quotas`); every change is kept in its history.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="quotas", verbose_name=_("partner")
    )
    period = models.CharField(_("period"), max_length=7)
    amount = models.DecimalField(_("quota"), **MONEY)

    history = HistoricalRecords()
    objects = QuotaQuerySet.as_manager()

    class Meta:
        ordering = ["period", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "period"], name="quota_one_per_partner_period"),
            models.CheckConstraint(name="quota_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period}: {self.amount}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPUTED = "computed", _("Computed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


LOCKED_STATUSES = (RunStatus.APPROVED, RunStatus.PAID)
#: Runs whose statements a partner user reads: approved and paid, and computed ones as preliminary.
PARTNER_VISIBLE_STATUSES = (RunStatus.COMPUTED, *LOCKED_STATUSES)


class ImmutableSettlementError(Exception):
    """Raised on any attempt to change an approved or paid settlement's figures or lines."""


class LockedRunGuard:
    """Refuses to save or delete a row belonging to an approved or paid run."""

    def _check_run_open(self):
        if SettlementRun.objects.filter(pk=self.run_id, status__in=LOCKED_STATUSES).exists():
            raise ImmutableSettlementError("This settlement is approved: its lines and statements never change.")

    def save(self, *args, **kwargs):
        self._check_run_open()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_run_open()
        return super().delete(*args, **kwargs)


class SettlementRunQuerySet(ScopedQuerySet):
    def for_partner(self, partner_id):
        # A partner sees the approved runs it has a statement in (never drafts).
        return self.filter(status__in=LOCKED_STATUSES, statements__partner_id=partner_id)


class SettlementRun(models.Model):
    """The commissions of one period. One run per period; recomputed until approved, then immutable.

    Periods never overlap (SPEC §4.1): a quarter and one of its months cannot both have a run other
    than a failed one, or their days would be paid twice. The database enforces it — an exclusion
    constraint on PostgreSQL, a trigger on SQLite, both named ``settlementrun_periods_never_overlap``
    (migration 0007) — since neither Django nor SQLite can declare it here.
    """

    period = models.CharField(_("period"), max_length=7, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    #: Lines of this attempt are the run's lines; other attempts' lines are leftovers being replaced.
    attempt = models.PositiveIntegerField(default=0)
    committed_attempt = models.PositiveIntegerField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    total = models.DecimalField(_("total"), default=Decimal("0"), **MONEY)
    line_count = models.PositiveIntegerField(default=0)
    exception_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    #: Who last requested the computation (page, API, ``settle --as``, the job they started).
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Everyone who ever requested a computation of this run: none of them may approve it (four eyes).
    requesters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    #: Computed before its period ended: its figures stop at ``figures_through`` and it cannot be approved.
    preliminary = models.BooleanField(_("preliminary"), default=False)
    figures_through = models.DateField(_("figures through"), null=True, blank=True)
    #: When the current computation began reading the ledger (runs approved later are not in its diff).
    started_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    #: The day the payment was executed (``paid_at`` is when it was recorded).
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    objects = SettlementRunQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(name="settlement_status_valid", condition=Q(status__in=RunStatus.values)),
            models.CheckConstraint(
                name="settlement_approved_has_approver",
                condition=~Q(status__in=LOCKED_STATUSES) | Q(approved_by__isnull=False, approved_at__isnull=False),
            ),
            models.CheckConstraint(
                name="settlement_four_eyes", condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("run_by"))
            ),
            models.CheckConstraint(
                name="settlement_paid_has_reference",
                condition=~Q(status=RunStatus.PAID) | ~Q(payment_reference=""),
            ),
            models.CheckConstraint(
                name="settlement_approved_not_preliminary",
                condition=~Q(status__in=LOCKED_STATUSES) | Q(preliminary=False),
            ),
            models.CheckConstraint(
                name="settlement_paid_has_date", condition=~Q(status=RunStatus.PAID) | Q(paid_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.status})"

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    def save(self, *args, **kwargs):
        if self.pk:
            stored = SettlementRun.objects.filter(pk=self.pk).values("status", "total", "line_count").first()
            if stored and stored["status"] in LOCKED_STATUSES:
                changed_money = stored["total"] != self.total or stored["line_count"] != self.line_count
                allowed = self.status in LOCKED_STATUSES and not changed_money
                if not allowed or (stored["status"] == RunStatus.PAID and self.status != RunStatus.PAID):
                    raise ImmutableSettlementError(f"Settlement {self.period} is {stored['status']}: it cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if SettlementRun.objects.filter(pk=self.pk, status__in=LOCKED_STATUSES).exists():
            raise ImmutableSettlementError(f"Settlement {self.period} is approved: it cannot be deleted.")
        return super().delete(*args, **kwargs)


class StatementQuerySet(ScopedQuerySet):
    partner_lookup = "partner"

    def for_partner(self, partner_id):
        # Its own statements of approved and paid runs, and of computed ones as preliminary figures;
        # never while a run is queued, being computed or failed.
        return super().for_partner(partner_id).filter(run__status__in=PARTNER_VISIBLE_STATUSES)

    def current(self):
        """Statements of each run's committed attempt (a recomputation writes its own beside them)."""
        return self.filter(attempt=F("run__committed_attempt"))


class Statement(LockedRunGuard, models.Model):
    """One partner's lines in one run, with their total."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="statements")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="statements")
    attempt = models.PositiveIntegerField()
    total = models.DecimalField(**MONEY)
    line_count = models.PositiveIntegerField()
    #: The payment of this statement (a positive total of a paid run): its execution day and reference.
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["run", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["run", "partner", "attempt"], name="statement_one_per_partner_run_attempt"),
            models.CheckConstraint(
                name="statement_paid_has_date_and_reference",
                condition=Q(paid_on__isnull=True, payment_reference="")
                | (Q(paid_on__isnull=False) & ~Q(payment_reference="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Statement {self.run_id}/{self.partner_id}: {self.total}"

    @property
    def to_be_paid(self):
        """What is paid for it, on a queryset read ``with_carried`` (:mod:`commissions.carried`); else None."""
        from .carried import to_be_paid

        return to_be_paid(self)


class LineKind(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    ADJUSTMENT = "adjustment", _("Adjustment")
    #: Written from a :class:`ManualAdjustment` (by hand, or an accepted dispute): outside the rules,
    #: so never counted as paid by the diff of a later run.
    MANUAL = "manual", _("Manual adjustment")


#: Line kinds that point at the line they correct.
CORRECTING_KINDS = (LineKind.ADJUSTMENT, LineKind.MANUAL)


class PayoutLineQuerySet(ScopedQuerySet):
    partner_lookup = "partner"

    def for_partner(self, partner_id):
        return super().for_partner(partner_id).filter(run__status__in=PARTNER_VISIBLE_STATUSES)

    def current(self):
        """Lines of each run's committed attempt only."""
        return self.filter(attempt=F("run__committed_attempt"))


class PayoutLine(LockedRunGuard, models.Model):
    """One rule paying one deal, or an adjustment correcting an approved line. Explains itself."""

    # The ledger's hot table: a quarter writes half a million lines, one statement per chunk that
    # builds them from a join of the deals, partners and rules (so every reference exists when
    # written). Its references are not database foreign keys: PostgreSQL checks those one row at a
    # time, which cost more than computing the lines (bench/settlement_bench.py). What they point at
    # is protected from deletion by PROTECT (a run deleted through Django takes its lines along).
    # Indexes: (run, attempt, partner) for runs, statements and partners' reads, corrects for
    # adjustments. None by deal or rule: nothing reads lines by deal, the rule locks read RuleUse, and
    # each such index cost a tenth to a quarter of a settlement's time (deleting a deal or a rule through
    # the shell scans the ledger instead; neither is deleted on a page or by the API).
    run = models.ForeignKey(
        SettlementRun, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    attempt = models.PositiveIntegerField()
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.PROTECT,
        related_name="payout_lines",
        db_index=False,
        db_constraint=False,
    )
    #: Empty only on a manual line about a deal that no rule pays.
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.COMMISSION)
    #: The period the deal belongs to (an adjustment's is earlier than its run's).
    deal_period = models.CharField(max_length=7)
    base_amount = models.DecimalField(**MONEY)
    rate = models.DecimalField(null=True, blank=True, **RATE)
    accelerator = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    capped = models.CharField(max_length=6, blank=True)
    payout = models.DecimalField(**MONEY)
    #: The arithmetic as parts (a kind and the figures), the same from both engines, without the steps the
    #: line's columns say (:mod:`commissions.line_parts`); ``parts`` is the whole, ``explanation`` renders it in
    #: the reader's language (:mod:`commissions.explaining`).
    explanation_parts = models.JSONField(default=dict)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        db_index=False,
        db_constraint=False,
    )

    objects = PayoutLineQuerySet.as_manager()

    class Meta:
        ordering = ["run", "partner", "opportunity", "rule"]
        indexes = [
            models.Index(fields=["run", "attempt", "partner"], name="payoutline_run_attempt_idx"),
            # Only adjustments correct a line: the other 99 % have no entry.
            models.Index(fields=["corrects"], name="payoutline_corrects_idx", condition=Q(corrects__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                name="payoutline_adjustment_is_kind",
                condition=Q(corrects__isnull=True) | Q(kind__in=CORRECTING_KINDS),
            ),
            models.CheckConstraint(
                name="payoutline_rule_unless_manual", condition=Q(rule__isnull=False) | Q(kind=LineKind.MANUAL)
            ),
        ]

    @property
    def parts(self) -> dict:
        """The whole explanation parts: those stored, with the steps the line's columns say
        (:mod:`.line_parts`; most lines store none)."""
        return line_parts.expand(self.explanation_parts, self.base_amount, self.rate, self.capped, self.payout)

    @property
    def explanation(self) -> str:
        """The line's arithmetic in the active language."""
        return explaining.render(self.parts)

    @explanation.setter
    def explanation(self, value: str) -> None:
        """Words kept as written (``PayoutLine(explanation="Goodwill")``), rendered verbatim."""
        self.explanation_parts = {"kind": "text", "text": value}

    @property
    def shown_deal(self):
        """The line's deal as the statement shows it: None once the deal is another partner's (a booking moved
        it). The line keeps its own amounts and explanation; what the deal is now — its account, product line,
        closing date — is the new partner's data (SPEC §2), and it is not what this line paid."""
        return self.opportunity if self.opportunity.partner_id == self.partner_id else None

    def __str__(self) -> str:
        return f"Line {self.pk}: {self.payout}"


class RuleUse(models.Model):
    """A rule paid lines of an approved settlement run: what locks it (:mod:`commissions.rules`).

    Written when the run is approved (its lines never change after), one row per rule, so that a
    rule's lock is one index probe here instead of a search of the ledger by rule.
    """

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="rule_uses")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="uses")

    objects = InternalQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "rule"], name="ruleuse_once_per_run")]

    def __str__(self) -> str:
        return f"Rule {self.rule_id} paid run {self.run_id}"


class SettlementException(LockedRunGuard, models.Model):
    """A won partner deal of the period that no rule pays, with the reason."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="exceptions", db_index=False)
    attempt = models.PositiveIntegerField()
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.PROTECT, related_name="+")
    #: Why no rule pays the deal, as parts; ``reason`` renders them in the reader's language.
    reason_parts = models.JSONField(default=dict)

    objects = InternalQuerySet.as_manager()

    class Meta:
        ordering = ["run", "partner", "opportunity"]
        indexes = [models.Index(fields=["run", "attempt"], name="settlementexc_run_attempt_idx")]

    @property
    def reason(self) -> str:
        """Why no rule pays the deal, in the active language."""
        return explaining.render(self.reason_parts)

    @reason.setter
    def reason(self, value: str) -> None:
        self.reason_parts = {"kind": "text", "text": value}

    def __str__(self) -> str:
        return f"Exception {self.opportunity_id}: {self.reason}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")


class DisputeOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class DisputeQuerySet(ScopedQuerySet):
    partner_lookup = "line__partner"


class Dispute(models.Model):
    """A partner admin's challenge of a statement line, and the thread that settles it.

    It ends with an outcome: ``accepted`` with an amount (a manual adjustment line in the partner's
    next run, :class:`ManualAdjustment`) or ``rejected`` with a reason. Disputes resolved before
    outcomes existed have none.
    """

    line = models.ForeignKey(PayoutLine, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=DisputeOutcome.choices, blank=True)
    outcome_amount = models.DecimalField(_("amount granted"), null=True, blank=True, **MONEY)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=~Q(status="resolved"), name="dispute_one_open_per_line"),
            models.CheckConstraint(
                name="dispute_outcome_valid", condition=Q(outcome="") | Q(outcome__in=DisputeOutcome.values)
            ),
            models.CheckConstraint(
                name="dispute_outcome_only_when_resolved", condition=Q(outcome="") | Q(status=DisputeStatus.RESOLVED)
            ),
            models.CheckConstraint(
                name="dispute_accepted_has_an_amount",
                condition=(Q(outcome=DisputeOutcome.ACCEPTED, outcome_amount__isnull=False) & ~Q(outcome_amount=0))
                | (~Q(outcome=DisputeOutcome.ACCEPTED) & Q(outcome_amount__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk} on line {self.line_id} ({self.status})"


class DisputeMessageQuerySet(ScopedQuerySet):
    partner_lookup = "dispute__line__partner"


class DisputeMessage(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DisputeMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on dispute {self.dispute_id}"


class ManualAdjustmentQuerySet(InternalQuerySet):
    """The channel team's records; a partner reads the lines they become on its statement."""


class ManualAdjustment(models.Model):
    """A line the channel team adds to a run that is not approved, or an accepted dispute's amount.

    Kept apart from the ledger: each computation of the run writes it as a ``manual`` line of its
    attempt (:mod:`commissions.adjusting`), so recomputing keeps it and totals stay the sum of the
    lines. An accepted dispute's adjustment waits without a run until the partner's next run.
    """

    run = models.ForeignKey(
        SettlementRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="manual_adjustments",
        verbose_name=_("settlement"),
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.PROTECT, related_name="+", verbose_name=_("deal")
    )
    #: The approved line it relates to (and corrects), if any.
    line = models.ForeignKey(
        PayoutLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("line")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    dispute = models.OneToOneField(
        Dispute, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment", verbose_name=_("dispute")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ManualAdjustmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["run", "partner"], name="manualadjustment_run_idx")]
        constraints = [
            models.CheckConstraint(name="manualadjustment_amount_not_zero", condition=~Q(amount=0)),
            models.CheckConstraint(
                name="manualadjustment_waits_only_for_a_dispute",
                condition=Q(run__isnull=False) | Q(dispute__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Manual adjustment {self.pk}: {self.amount}"


class SettlementChunk(models.Model):
    """A chunk of partners whose lines are written for one attempt of a run: progress and completeness."""

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="chunks")
    attempt = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    partner_count = models.PositiveIntegerField()
    line_count = models.PositiveIntegerField()
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "attempt", "index"], name="settlementchunk_once_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"Run {self.run_id} attempt {self.attempt} chunk {self.index}"
