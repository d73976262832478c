"""Targets for the ecosystem's share of the vendor's business."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
