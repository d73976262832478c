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


class OpportunityQuerySet(ScopedQuerySet):
    # Direct business (partner empty) never matches a partner id: partners never see it.
    partner_lookup = "partner"

    def won(self):
        return self.filter(stage=Stage.WON)

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
            models.Index(
                fields=["extension_requested_at"],
                condition=Q(extension_status="requested"),
                name="opportunity_extension_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.account.name if self.account_id else ''} {self.product_line} {self.amount} €"
