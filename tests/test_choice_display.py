"""``ChoiceDisplayMixin`` (ecosystem/choices.py) answers exactly what Django's own ``get_FOO_display()`` does."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from ecosystem.choices import ChoiceDisplayMixin

MODELS = [model for model in apps.get_models() if issubclass(model, ChoiceDisplayMixin)]


def test_the_list_pages_models_use_it():
    assert {model._meta.label for model in MODELS} >= {"accounts.Account", "opportunities.Opportunity"}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_same_label_as_django(model, language):
    fields = [field for field in model._meta.concrete_fields if field.choices is not None]
    assert fields
    with translation.override(language):
        for field in fields:
            for value in [value for value, _label in field.flatchoices] + ["not-a-choice", None, ""]:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(instance, field), (field.name, value)
                assert type(ours) is str or ours is None, (field.name, value)


def test_label_follows_the_active_language():
    from opportunities.models import Opportunity

    opportunity = Opportunity(stage="won")
    with translation.override("en"):
        english = opportunity.get_stage_display()
    with translation.override("fr"):
        french = opportunity.get_stage_display()
    assert english == "Won"
    assert french != english
