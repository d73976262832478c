"""Targets for the ecosystem's share of the vendor's business."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.choices import Region, Sector
from ecosystem.periods import parse_period
from ecosystem.scoping import ScopedQuerySet


def validate_period(value: str) -> None:
    try:
        parse_period(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_period") from error


class TargetQuerySet(ScopedQuerySet):
    partner_lookup = None  # internal figures: partners never see targets


class Target(models.Model):
    """The goal: the ecosystem's share of won business, reached by a deadline."""

    name = models.CharField(_("name"), max_length=200)
    value = models.DecimalField(_("target share"), max_digits=5, decimal_places=4, help_text=_("0.50 for 50 %"))
    baseline_period = models.CharField(_("baseline period"), max_length=7, validators=[validate_period])
    deadline = models.DateField(_("deadline"))
    region = models.CharField(_("region"), max_length=40, choices=Region.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                name="target_value_between_0_and_1", condition=Q(value__gt=Decimal("0")) & Q(value__lte=Decimal("1"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value:.0%} by {self.deadline}"

    def clean(self):
        if self.baseline_period and self.deadline:
            try:
                if parse_period(self.baseline_period).end >= self.deadline:
                    raise ValidationError({"deadline": _("The deadline must come after the baseline period.")})
            except ValueError:
                pass


class SnapshotStatus(models.TextChoices):
    COMPUTING = "computing", _("Computing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class SnapshotRun(models.Model):
    """One generation of the precomputed figures. Readers only read the generation the pointer names."""

    status = models.CharField(
        _("status"), max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.COMPUTING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    cell_count = models.PositiveIntegerField(default=0)
    #: Coverage, commission cost and levers as computed in the same transaction.
    extras = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Snapshot #{self.pk} ({self.status})"


class SnapshotPointer(models.Model):
    """A single row naming the current generation; flipped in the transaction that writes a new one."""

    run = models.ForeignKey(SnapshotRun, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(name="snapshot_pointer_singleton", condition=Q(id=1))]

    def __str__(self) -> str:
        return f"Current snapshot: #{self.run_id}"


class ShareCell(models.Model):
    """Won amounts of one quarter × region × sector × product line × partner tier × select flag."""

    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="cells", db_index=False)
    quarter_start = models.DateField()
    region = models.CharField(max_length=40)
    sector = models.CharField(max_length=20)
    product_line = models.CharField(max_length=20)
    tier = models.CharField(max_length=20, blank=True)  # "" for direct business
    is_select = models.BooleanField()
    total = models.DecimalField(max_digits=16, decimal_places=2)
    sourced = models.DecimalField(max_digits=16, decimal_places=2)
    influenced = models.DecimalField(max_digits=16, decimal_places=2)
    won_count = models.PositiveIntegerField()

    objects = TargetQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["run", "quarter_start"], name="sharecell_run_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.quarter_start} {self.region} {self.sector} {self.product_line} {self.tier or 'direct'}"


class CoverageCell(models.Model):
    """Select accounts of one region × sector, counted for one product line ("" = every line).

    ``total``, ``assigned`` (an open assignment), ``covered`` (an open primary) and ``stale``
    (as of the snapshot's day) do not depend on the line: each line's row repeats them, so a
    filter by line reads its rows only. ``with_open`` counts the accounts with an open
    opportunity of that line (of any line for "").
    """

    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=40)
    sector = models.CharField(max_length=20)
    product_line = models.CharField(max_length=20, blank=True)
    total = models.PositiveIntegerField()
    assigned = models.PositiveIntegerField()
    covered = models.PositiveIntegerField()
    stale = models.PositiveIntegerField()
    with_open = models.PositiveIntegerField()

    objects = TargetQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["run", "product_line"], name="coveragecell_run_line_idx")]

    def __str__(self) -> str:
        return f"{self.region} {self.sector} {self.product_line or 'any line'}: {self.total}"


class CoverageWinCell(models.Model):
    """Select accounts whose quarters with a won deal (of one line, "" = any) step from ``previous`` to ``quarter``.

    Each account contributes one row per quarter it won in, naming the quarter it last won
    in before (``previous``, empty for its first). The accounts with a won deal in the quarters
    ``[A, B]`` are then a plain sum: rows with ``A ≤ quarter ≤ B`` and ``previous < A`` (or
    empty) — each such account counts exactly once, at its first winning quarter from ``A``.
    """

    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=40)
    sector = models.CharField(max_length=20)
    product_line = models.CharField(max_length=20, blank=True)
    previous = models.DateField(null=True, blank=True)
    quarter = models.DateField()
    accounts = models.PositiveIntegerField()

    objects = TargetQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["run", "product_line", "quarter"], name="coveragewin_run_line_q_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.sector} {self.product_line or 'any line'} {self.previous}→{self.quarter}"
