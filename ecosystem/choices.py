"""Vocabularies shared by several apps: product lines, sectors, French regions."""

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


class ChoiceDisplayMixin:
    """``get_FOO_display()`` without rebuilding the field's choice map at every call.

    Put it before ``models.Model`` in a model's bases. Django's own ``_get_FIELD_display`` runs
    ``dict(make_hashable(field.flatchoices))`` each time, which hashes every lazy label (one
    translation lookup each): on a list page of 50 rows with three choice columns that was about a
    sixth of the rendering. Here the map is built once per field (again if its choices are
    replaced); the labels stay lazy, so the text still follows the active language. Same result as
    Django's, value and label for value and label.
    """

    def _get_FIELD_display(self, field):
        cached = field.__dict__.get("_choice_display_map")
        if cached is None or cached[0] is not field.choices:
            cached = (field.choices, dict(make_hashable(field.flatchoices)))
            field.__dict__["_choice_display_map"] = cached
        value = getattr(self, field.attname)
        # force_str() to coerce lazy strings, as Django does.
        return force_str(cached[1].get(make_hashable(value), value), strings_only=True)


class ProductLine(models.TextChoices):
    HYBRID_CLOUD = "hybrid_cloud", _("Hybrid cloud (Red Hat)")
    AI = "ai", _("AI (watsonx, Granite, Orchestrate)")
    AUTOMATION = "automation", _("Automation (Terraform, Vault)")
    DATA = "data", _("Data (Astra DB, vector databases)")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure (Power)")
    SECURITY = "security", _("Security")


class Sector(models.TextChoices):
    LUXURY = "luxury", _("Luxury")
    INDUSTRY = "industry", _("Industry")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    BANKING = "banking", _("Banking")
    INSURANCE = "insurance", _("Insurance")
    RETAIL = "retail", _("Retail")
    HEALTHCARE = "healthcare", _("Healthcare")
    ENERGY = "energy", _("Energy")
    TELECOM = "telecom", _("Telecom")
    TRANSPORT = "transport", _("Transport")
    SERVICES = "services", _("Services")


class Region(models.TextChoices):
    """The 13 metropolitan regions of France, plus the overseas regions as one."""

    AUVERGNE_RHONE_ALPES = "auvergne_rhone_alpes", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "bourgogne_franche_comte", "Bourgogne-Franche-Comté"
    BRETAGNE = "bretagne", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "centre_val_de_loire", "Centre-Val de Loire"
    CORSE = "corse", "Corse"
    GRAND_EST = "grand_est", "Grand Est"
    HAUTS_DE_FRANCE = "hauts_de_france", "Hauts-de-France"
    ILE_DE_FRANCE = "ile_de_france", "Île-de-France"
    NORMANDIE = "normandie", "Normandie"
    NOUVELLE_AQUITAINE = "nouvelle_aquitaine", "Nouvelle-Aquitaine"
    OCCITANIE = "occitanie", "Occitanie"
    PAYS_DE_LA_LOIRE = "pays_de_la_loire", "Pays de la Loire"
    PROVENCE_ALPES_COTE_AZUR = "provence_alpes_cote_azur", "Provence-Alpes-Côte d'Azur"
    OUTRE_MER = "outre_mer", _("Overseas (Outre-mer)")
