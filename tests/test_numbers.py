"""One number format on every page: money, counts and compact headline figures in the reader's language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from ecosystem.templatetags.numbers import compact, format_money

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fr", "1234.5", "1 234,50 €"),
        ("en", "1234.5", "1,234.50 €"),
        ("fr", "-5000", "-5 000,00 €"),
        ("en", None, "—"),
    ],
)
def test_money(language, value, expected):
    with translation.override(language):
        assert format_money(value) == expected.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fr", "3530042.63", "3,53 M€"),
        ("en", "3530042.63", "3.53 M€"),
        ("fr", "48250000", "48,2 M€"),
        ("fr", "987400", "987 k€"),
        ("en", "12345", "12.3 k€"),
        ("fr", "9876.4", "9 876 €"),
        ("en", "2500000000", "2.50 bn €"),
        ("fr", "-1500000", "-1,50 M€"),
    ],
)
def test_compact(language, value, expected):
    with translation.override(language):
        assert compact(Decimal(value)) == expected.replace(" ", NBSP)


def test_the_tag_keeps_the_exact_amount_on_hover():
    with translation.override("fr"):
        html = Template("{% load numbers %}{% compact_money v %}").render(Context({"v": Decimal("3530042.63")}))
    assert html == f'<data value="3530042.63" title="3{NBSP}530{NBSP}042,63{NBSP}€">3,53{NBSP}M€</data>'


@pytest.mark.django_db
def test_the_portal_headline_figures_are_compact(client, rep_a, partner_a):
    from datetime import date

    from .factories import won

    won(partner_a, "3530042.63", date.today().replace(month=1, day=2))
    client.force_login(rep_a)
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'title="3,530,042.63{NBSP}€">3.53{NBSP}M€</data>' in page
