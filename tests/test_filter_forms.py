"""``{% filter_fields %}`` (ecosystem/templatetags/filter_forms.py) renders exactly what the template loop did,
for every filterset, role, language, filtered or not, first time (rendered) and again (reused)."""

import importlib

import django_filters
import pytest
from django.apps import apps
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from ecosystem.templatetags import filter_forms

LOOP = Template(
    "{% for field in filterset.form %}{% if field.name not in skip %}"
    "<label>{{ field.label }} {{ field }}</label>{% endif %}{% endfor %}"
)
QUERIES = ["", "q=ab&stage=won&stage=lost&sector=banking&closed_from=2026-01-02&amount_min=10&partner=1&is_select=true"]


def _project_filtersets():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.filtersets")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module.__name__
            ):
                yield value


FILTERSETS = sorted(_project_filtersets(), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_the_list_pages_filtersets_are_static():
    names = {cls.__name__ for cls in FILTERSETS if getattr(cls, "static_form", False)}
    assert {"OpportunityFilterSet", "AccountFilterSet"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda cls: cls.__name__)
def test_same_html_as_the_template_loop(filterset_class, users):
    filter_forms._rendered.clear()
    for user in users.values():
        for language in ("fr", "en"):
            for query in QUERIES:
                for exclude in ("", "partner,account"):
                    request = RequestFactory().get(f"/?{query}")
                    request.user = user
                    with translation.override(language):
                        data = request.GET or None
                        model = filterset_class._meta.model
                        expected_set = filterset_class(data, queryset=model._default_manager.none(), request=request)
                        skip = [name for name in exclude.split(",") if name]
                        expected = LOOP.render(Context({"filterset": expected_set, "skip": skip}))
                        for _ in range(2):  # built, then (static, unbound) reused
                            filterset = filterset_class(data, queryset=model._default_manager.none(), request=request)
                            assert filter_forms.filter_fields(filterset, exclude) == expected, (user, language, query)


@pytest.mark.django_db
def test_reused_only_when_static_and_unbound(rep_a):
    from opportunities.filtersets import OpportunityFilterSet
    from opportunities.models import Opportunity

    filter_forms._rendered.clear()
    request = RequestFactory().get("/")
    request.user = rep_a
    filter_forms.filter_fields(OpportunityFilterSet(None, queryset=Opportunity.objects.none(), request=request))
    assert len(filter_forms._rendered) == 1
    bound = OpportunityFilterSet({"q": "x"}, queryset=Opportunity.objects.none(), request=request)
    assert 'value="x"' in filter_forms.filter_fields(bound)
    assert len(filter_forms._rendered) == 1
