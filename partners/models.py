"""Partners of the ecosystem and the vendor's levers on them: secondments and roadshows."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecosystem.choices import ProductLine, Region
from ecosystem.fields import ChoiceListField
from ecosystem.scoping import ScopedQuerySet
from ecosystem.validators import validate_siren


class PartnerKind(models.TextChoices):
    INTEGRATOR = "integrator", _("Integrator")
    RESELLER = "reseller", _("Reseller")
    DISTRIBUTOR = "distributor", _("Distributor")
    ISV = "isv", _("ISV")
    MSP = "msp", _("Managed service provider")


class PartnerTier(models.TextChoices):
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class PartnerQuerySet(ScopedQuerySet):
    partner_lookup = "pk"


class Partner(models.Model):
    """A company of the ecosystem: integrator, reseller, distributor, ISV or MSP."""

    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    tier = models.CharField(_("tier"), max_length=20, choices=PartnerTier.choices)
    regions = ChoiceListField(_("regions served"), choices_class=Region)
    specialisations = ChoiceListField(_("specialisations"), choices_class=ProductLine)
    status = models.CharField(_("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    joined_on = models.DateField(_("joined on"))
    #: Most open primary assignments the proposal engine gives this partner.
    capacity = models.PositiveIntegerField(_("capacity (open primary accounts)"), default=50)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="partner_siren_is_nine_digits", condition=Q(siren__regex=r"^[0-9]{9}$")),
            models.CheckConstraint(name="partner_kind_valid", condition=Q(kind__in=PartnerKind.values)),
            models.CheckConstraint(name="partner_tier_valid", condition=Q(tier__in=PartnerTier.values)),
            models.CheckConstraint(name="partner_status_valid", condition=Q(status__in=PartnerStatus.values)),
        ]
        indexes = [models.Index(fields=["tier", "kind"], name="partner_tier_kind_idx")]

    def __str__(self) -> str:
        return self.name

    def regions_display(self) -> list[str]:
        labels = dict(Region.choices)
        return [str(labels.get(code, code)) for code in self.regions or []]

    def specialisations_display(self) -> list[str]:
        labels = dict(ProductLine.choices)
        return [str(labels.get(code, code)) for code in self.specialisations or []]


class SecondmentQuerySet(ScopedQuerySet):
    partner_lookup = "partner"


class Expertise(models.TextChoices):
    SALES = "sales", _("Sales")
    TECHNICAL = "technical", _("Technical")


class Secondment(models.Model):
    """A vendor expert placed inside a partner for a few months."""

    expert_name = models.CharField(_("expert name"), max_length=200)
    expert_email = models.EmailField(_("expert email"))
    expertise = models.CharField(_("expertise"), max_length=20, choices=Expertise.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="secondments")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    history = HistoricalRecords()
    objects = SecondmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(name="secondment_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
            models.CheckConstraint(name="secondment_expertise_valid", condition=Q(expertise__in=Expertise.values)),
        ]

    def __str__(self) -> str:
        return f"{self.expert_name} → {self.partner}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A secondment cannot end before it starts.")})


class RoadshowQuerySet(ScopedQuerySet):
    # A partner sees the roadshows it attends.
    partner_lookup = "partners"


class Roadshow(models.Model):
    """A regional event where partners meet prospects."""

    title = models.CharField(_("title"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region"), max_length=40, choices=Region.choices)
    date = models.DateField(_("date"))
    partners = models.ManyToManyField(
        Partner, related_name="roadshows", blank=True, verbose_name=_("attending partners")
    )

    history = HistoricalRecords(m2m_fields=[partners])
    objects = RoadshowQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "id"]
        constraints = [
            models.CheckConstraint(name="roadshow_region_valid", condition=Q(region__in=Region.values)),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.city}, {self.date:%Y-%m-%d})"
