"""Opportunities: the vendor's business, direct or through partners, with deal registration."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.choices import ChoiceDisplayMixin, ProductLine
from ecosystem.scoping import ScopedQuerySet


class Route(models.TextChoices):
    PARTNER_SOURCED = "partner_sourced", _("Partner sourced")
    PARTNER_INFLUENCED = "partner_influenced", _("Partner influenced")
    DIRECT = "direct", _("Direct")


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    QUALIFIED = "qualified", _("Qualified")
    PROPOSAL = "proposal", _("Proposal")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STAGES = (Stage.REGISTERED, Stage.QUALIFIED, Stage.PROPOSAL)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Extension requested")
    GRANTED = "granted", _("Extension granted")
    REFUSED = "refused", _("Extension refused")


class Confirmation(models.TextChoices):
    """How a win became confirmed revenue (SPEC §4.2)."""

    INTERNAL = "internal", _("Won by the vendor's team")
    BOOKING = "booking", _("Confirmed by a booking")
    MANUAL = "manual", _("Confirmed by the channel team")
    MIGRATION = "migration", _("Confirmed when claims were introduced")


def confirmed_win_q(prefix: str = "") -> Q:
    """A confirmed win: the only won business that pays commission and counts in the share (SPEC §4.2).

    ``prefix`` reaches the opportunity through a relation (``"opportunities__"`` from an account).
    """
    return Q(**{f"{prefix}stage": Stage.WON, f"{prefix}awaiting_confirmation": False})


def claim_q(prefix: str = "") -> Q:
    """A partner's win still waiting for a booking or the channel team."""
    return Q(**{f"{prefix}stage": Stage.WON, f"{prefix}awaiting_confirmation": True})


class OpportunityQuerySet(ScopedQuerySet):
    # Direct business (partner empty) never matches a partner id: partners never see it.
    partner_lookup = "partner"

    def won(self):
        """Confirmed wins only: a claim is not won revenue yet."""
        return self.filter(confirmed_win_q())

    def claims(self):
        return self.filter(claim_q())

    def open(self):
        return self.filter(stage__in=OPEN_STAGES)


class Opportunity(ChoiceDisplayMixin, models.Model):
    """A deal on an account. With a partner it carries a deal registration."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="opportunities")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    product_line = models.CharField(_("product line"), max_length=20, choices=ProductLine.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.REGISTERED)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    roadshow = models.ForeignKey(
        "partners.Roadshow", on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities"
    )
    external_id = models.CharField(_("external id"), max_length=64, null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    # Deal registration (partner opportunities only).
    registration_status = models.CharField(
        _("registration"), max_length=10, choices=RegistrationStatus.choices, null=True, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    has_conflict = models.BooleanField(_("conflict"), default=False)
    # A client's key for one registration (web form token or the API's Idempotency-Key):
    # the same key from the same user never creates a second registration.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True)

    # One extension of the protection per registration, asked by the partner, decided by the channel team.
    extension_status = models.CharField(
        _("extension"), max_length=10, choices=ExtensionStatus.choices, null=True, blank=True
    )
    extension_reason = models.CharField(_("extension reason"), max_length=500, blank=True, default="", db_default="")
    extension_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    extension_requested_at = models.DateTimeField(_("extension requested at"), null=True, blank=True)
    extension_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    extension_decided_at = models.DateTimeField(_("extension decided at"), null=True, blank=True)
    extension_decision_reason = models.CharField(
        _("extension decision reason"), max_length=500, blank=True, default="", db_default=""
    )

    # Claims (SPEC §4.2): a partner user's win awaits confirmation (a booking, or the channel team
    # by hand) before it pays or counts. The flag is the only thing the counting queries read, and
    # it defaults to false in the database too, so every other way a win is written (the vendor's
    # own users, bookings, bulk loads) is confirmed revenue as before. What the partner claimed
    # stays beside the confirmed figures so the difference can be shown.
    awaiting_confirmation = models.BooleanField(_("awaiting confirmation"), default=False, db_default=False)
    claimed_amount = models.DecimalField(_("claimed amount (EUR)"), max_digits=14, decimal_places=2, null=True,
                                         blank=True)  # fmt: skip
    claimed_closed_on = models.DateField(_("claimed closing date"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(_("confirmed by"), max_length=10, choices=Confirmation.choices, null=True,
                                     blank=True)  # fmt: skip
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmation_reason = models.CharField(
        _("confirmation reason"), max_length=500, blank=True, default="", db_default=""
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(name="opportunity_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="opportunity_route_matches_partner",
                condition=Q(partner__isnull=True, route=Route.DIRECT)
                | Q(partner__isnull=False, route__in=[Route.PARTNER_SOURCED, Route.PARTNER_INFLUENCED]),
            ),
            models.CheckConstraint(
                name="opportunity_closed_has_closed_on",
                condition=~Q(stage__in=CLOSED_STAGES) | Q(closed_on__isnull=False),
            ),
            models.CheckConstraint(
                name="opportunity_registration_only_with_partner",
                condition=Q(partner__isnull=False) | Q(registration_status__isnull=True),
            ),
            models.CheckConstraint(name="opportunity_stage_valid", condition=Q(stage__in=Stage.values)),
            models.CheckConstraint(
                name="opportunity_product_line_valid", condition=Q(product_line__in=ProductLine.values)
            ),
            models.CheckConstraint(
                name="opportunity_registration_status_valid",
                condition=Q(registration_status__isnull=True) | Q(registration_status__in=RegistrationStatus.values),
            ),
            models.CheckConstraint(
                name="opportunity_extension_status_valid",
                condition=Q(extension_status__isnull=True) | Q(extension_status__in=ExtensionStatus.values),
            ),
            models.CheckConstraint(
                name="opportunity_extension_request_complete",
                condition=Q(extension_status__isnull=True)
                | (
                    Q(extension_requested_at__isnull=False, registration_status__isnull=False) & ~Q(extension_reason="")
                ),
            ),
            models.CheckConstraint(
                name="opportunity_extension_decision_complete",
                condition=~Q(extension_status__in=[ExtensionStatus.GRANTED, ExtensionStatus.REFUSED])
                | Q(extension_decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="opportunity_claim_is_won_and_unconfirmed",
                condition=Q(awaiting_confirmation=False) | Q(stage=Stage.WON, confirmed_at__isnull=True),
            ),
            models.CheckConstraint(
                name="opportunity_confirmation_complete",
                condition=Q(confirmed_at__isnull=True, confirmed_via__isnull=True)
                | Q(confirmed_at__isnull=False, confirmed_via__isnull=False, confirmed_via__in=Confirmation.values),
            ),
            models.CheckConstraint(
                name="opportunity_claimed_amount_not_negative",
                condition=Q(claimed_amount__isnull=True) | Q(claimed_amount__gte=0),
            ),
            models.UniqueConstraint(
                fields=["registered_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="opportunity_idempotency_key_unique_per_user",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="opportunity_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "closed_on"], name="opportunity_stage_closed_idx"),
            models.Index(fields=["partner", "stage", "closed_on"], name="opportunity_partner_stage_idx"),
            models.Index(fields=["account", "product_line"], name="opportunity_account_line_idx"),
            models.Index(fields=["registration_status", "created_at"], name="opportunity_registration_idx"),
            # A partner's opportunities in the list's order (the default ordering) and in the portal's
            # "recently updated": the first page is read from the index instead of joining and sorting
            # every opportunity of the partner.
            models.Index(fields=["partner", "-created_at", "-id"], name="opp_partner_created_idx"),
            models.Index(fields=["partner", "-updated_at"], name="opp_partner_updated_idx"),
            # The claims waiting for confirmation, oldest first (the channel team's list, SPEC §4.2).
            models.Index(
                fields=["claimed_at"],
                condition=Q(awaiting_confirmation=True),
                name="opportunity_claim_idx",
            ),
            models.Index(
                fields=["extension_requested_at"],
                condition=Q(extension_status="requested"),
                name="opportunity_extension_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.account.name if self.account_id else ''} {self.product_line} {self.amount} €"

    @property
    def registration_number(self) -> str:
        """What the partner gives the order system so its booking names this opportunity (SPEC §4.2)."""
        return registration_number(self.pk)

    @property
    def is_claim(self) -> bool:
        return self.stage == Stage.WON and self.awaiting_confirmation

    @property
    def is_confirmed_win(self) -> bool:
        return self.stage == Stage.WON and not self.awaiting_confirmation

    @property
    def claim_difference(self):
        """Confirmed amount minus claimed amount, when a confirmed claim's amount changed; else None."""
        if self.awaiting_confirmation or self.claimed_amount is None or self.claimed_amount == self.amount:
            return None
        return self.amount - self.claimed_amount

    @property
    def claim_date_changed(self) -> bool:
        return (
            not self.awaiting_confirmation
            and self.claimed_closed_on is not None
            and self.claimed_closed_on != self.closed_on
        )

    def get_won_status_display(self) -> str:
        """The stage as the partner's pipeline shows it: a claim is "won, awaiting confirmation"."""
        if self.is_claim:
            return str(_("Won, awaiting confirmation"))
        return self.get_stage_display()


REGISTRATION_PREFIX = "REG-"


def registration_number(pk: int) -> str:
    return f"{REGISTRATION_PREFIX}{pk:06d}"


def parse_registration(text: str) -> int | None:
    """``REG-000123``, ``reg-123``, ``#123`` or ``123`` → 123; None when it names no id."""
    value = text.strip().upper()
    if value.startswith(REGISTRATION_PREFIX):
        value = value[len(REGISTRATION_PREFIX) :]
    value = value.removeprefix("#")
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    number = int(value)
    return number if 0 < number < 2**63 else None


class QueuedBookingStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    LINKED = "linked", _("Linked to an opportunity")
    CREATED = "created", _("Opportunity created")


class QueuedBookingReason(models.TextChoices):
    UNMATCHED = "unmatched", _("No claimed or open opportunity matches")
    AMBIGUOUS = "ambiguous", _("Several opportunities match")
    REGISTRATION = "registration", _("The registration it names does not match")


class QueuedBookingQuerySet(ScopedQuerySet):
    # The reconciliation queue is the channel team's: partner users see none of it.
    partner_lookup = None

    def waiting(self):
        return self.filter(status=QueuedBookingStatus.WAITING)


class QueuedBooking(ChoiceDisplayMixin, models.Model):
    """A partner booking the import could not match to exactly one opportunity (SPEC §4.2).

    It waits here, counted nowhere, until the channel team links it to an opportunity or
    creates one from it, with a reason; either confirms the win. Keyed by the order system's
    ``external_id`` like the opportunities, so importing the same file again adds nothing.
    """

    external_id = models.CharField(_("external id"), max_length=64)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    product_line = models.CharField(_("product line"), max_length=20, choices=ProductLine.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    closed_on = models.DateField(_("closed on"))
    registration = models.CharField(_("registration"), max_length=64, blank=True, default="")
    reason = models.CharField(_("why it waits"), max_length=12, choices=QueuedBookingReason.choices)
    candidates = models.JSONField(_("candidate opportunities"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QueuedBookingStatus.choices, default=QueuedBookingStatus.WAITING
    )
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, null=True, blank=True, related_name="queued_bookings"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QueuedBookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("booking to reconcile")
        verbose_name_plural = _("bookings to reconcile")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="queued_booking_external_id_unique"),
            models.CheckConstraint(name="queued_booking_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="queued_booking_partner_route",
                condition=Q(route__in=[Route.PARTNER_SOURCED, Route.PARTNER_INFLUENCED]),
            ),
            models.CheckConstraint(
                name="queued_booking_status_valid", condition=Q(status__in=QueuedBookingStatus.values)
            ),
            # Waiting: not resolved; linked or created: the opportunity, when and why.
            models.CheckConstraint(
                name="queued_booking_resolution_complete",
                condition=Q(status=QueuedBookingStatus.WAITING, opportunity__isnull=True, resolved_at__isnull=True)
                | (
                    ~Q(status=QueuedBookingStatus.WAITING)
                    & Q(opportunity__isnull=False, resolved_at__isnull=False)
                    & ~Q(resolution_reason="")
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="queued_booking_status_idx")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.amount} €"
