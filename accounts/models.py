"""Customer accounts (companies) and their assignment to partners."""

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.choices import ChoiceDisplayMixin, Region, Sector
from ecosystem.scoping import ScopedQuerySet
from ecosystem.validators import validate_siren


class Awareness(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class _EqualsAnyOf(Func):
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL), a condition for ``filter()``."""

    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        lhs, lhs_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        return f"{lhs} = ANY(ARRAY{subquery})", (*lhs_params, *subquery_params)


class AccountQuerySet(ScopedQuerySet):
    def for_partner(self, partner_id):
        # A partner sees exactly the accounts it holds an open assignment on.
        open_assignments = Assignment.objects.open().filter(partner_id=partner_id)
        if connections[self.db].vendor == "postgresql":
            # The same rows, planned better: the partner's account ids are read once from the
            # assignment index, then fetched by primary key. PostgreSQL plans the EXISTS below as a
            # merge join that walks the account table's primary key up to the partner's highest id
            # (4-8 ms for a partner's list, its count, its portal figure), this in well under 1 ms.
            account_ids = open_assignments.order_by().values("account_id")
            return self.filter(_EqualsAnyOf(F("pk"), Subquery(account_ids)))
        return self.filter(Exists(open_assignments.filter(account=OuterRef("pk"))))

    def select(self):
        return self.filter(is_select=True)

    def with_partner_role(self, partner_id):
        """Each account's ``partner_role``: the role of ``partner_id``'s open assignment on it (or None).

        What a partner user is told about who covers an account: its own role, never the other
        partners' (SPEC §2). One correlated subquery on the (account, partner) open-assignment index.
        """
        own = Assignment.objects.open().filter(account=OuterRef("pk"), partner_id=partner_id)
        own = own.order_by().values("role")[:1]
        return self.annotate(partner_role=Subquery(own))


class Account(ChoiceDisplayMixin, models.Model):
    """A company the vendor sells to. Select accounts are the ones assigned to partners."""

    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    region = models.CharField(_("region"), max_length=40, choices=Region.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    is_select = models.BooleanField(_("select account"), default=False)
    vendor_awareness = models.CharField(
        _("vendor awareness"), max_length=10, choices=Awareness.choices, default=Awareness.LOW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(name="account_siren_is_nine_digits", condition=Q(siren__regex=r"^[0-9]{9}$")),
            models.CheckConstraint(name="account_sector_valid", condition=Q(sector__in=Sector.values)),
            models.CheckConstraint(name="account_region_valid", condition=Q(region__in=Region.values)),
            models.CheckConstraint(name="account_awareness_valid", condition=Q(vendor_awareness__in=Awareness.values)),
        ]
        indexes = [
            models.Index(fields=["is_select", "region", "sector"], name="account_select_region_idx"),
            models.Index(fields=["sector"], name="account_sector_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.siren})"


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class AssignmentQuerySet(ScopedQuerySet):
    partner_lookup = "partner"

    def open(self):
        return self.filter(valid_to__isnull=True)


#: The reason written on a partner's assignment that another partner's new primary ends (stored as this
#: code-like word; :attr:`Assignment.reason_text` shows it in the reader's language).
REASSIGNED = "Reassigned"


class Assignment(models.Model):
    """Who covers an account, from when to when. Ended, never deleted."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="assignments")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.PRIMARY)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Empty while the assignment is open.")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(valid_to__isnull=True, role="primary"),
                name="assignment_one_open_primary_per_account",
            ),
            models.UniqueConstraint(
                fields=["account", "partner"],
                condition=Q(valid_to__isnull=True),
                name="assignment_one_open_per_account_partner",
            ),
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            ),
            models.CheckConstraint(name="assignment_role_valid", condition=Q(role__in=AssignmentRole.values)),
        ]
        indexes = [
            models.Index(fields=["partner", "valid_to"], name="assignment_partner_open_idx"),
            # A partner's assignments in the list's order (the default ordering): the first page comes
            # from the index instead of a join and sort of all of them.
            models.Index(fields=["partner", "-valid_from", "-id"], name="assignment_partner_from_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.partner} ({self.role})"

    @property
    def reason_text(self) -> str:
        """The reason as people read it: the system's own word for an assignment another partner's primary
        ended, in the reader's language; a reason a person typed, as typed."""
        return _("Reassigned") if self.reason == REASSIGNED else self.reason

    @property
    def is_open(self) -> bool:
        return self.valid_to is None


class ProposalStatus(models.TextChoices):
    COMPUTING = "computing", _("Computing")
    READY = "ready", _("Ready for review")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class AssignmentProposal(models.Model):
    """Assignments the product proposes for unassigned select accounts, reviewed before anything is written."""

    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.COMPUTING
    )
    params = models.JSONField(_("scope"), default=dict, blank=True, help_text=_("Region and sector filters."))
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="proposal_status_valid", condition=Q(status__in=ProposalStatus.values)),
            models.CheckConstraint(
                name="proposal_decided_has_decider",
                condition=~Q(status__in=["applied", "discarded"]) | Q(decided_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal #{self.pk} ({self.status})"


class ProposalItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    SKIPPED = "skipped", _("Not applied")


class ProposalItemNote(models.TextChoices):
    """Why an item was not applied (a code; the page shows its label)."""

    ASSIGNED_MEANWHILE = "assigned_meanwhile", _("the account was assigned meanwhile")
    DISCARDED = "discarded", _("the rest of the proposal was discarded")
    NOT_SELECTED = "not_selected", _("not ticked when the proposal was applied")


class ProposalItem(models.Model):
    """One proposed primary assignment, with the score and the reasons behind it."""

    proposal = models.ForeignKey(AssignmentProposal, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalItemStatus.choices, default=ProposalItemStatus.PROPOSED
    )
    note = models.CharField(_("note"), max_length=20, choices=ProposalItemNote.choices, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "account"], name="proposal_item_one_per_account"),
            models.CheckConstraint(
                name="proposal_item_status_valid", condition=Q(status__in=ProposalItemStatus.values)
            ),
        ]

    @property
    def reasons_text(self) -> list[str]:
        """The reasons in the active language (they are stored as parts, :mod:`accounts.proposal_reasons`)."""
        from .proposal_reasons import render_all

        return render_all(self.reasons)

    def __str__(self) -> str:
        return f"{self.account_id} → {self.partner_id}"
