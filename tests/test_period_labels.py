"""Periods as people say them (issue 14 item 4): "T4 2026" / "octobre 2026" in French, "Q4 2026" /
"October 2026" in English, on pages, PDFs, e-mails, spreadsheet titles and messages; codes stay in the
API and the data CSVs. A period not over yet is marked "to date"."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from ecosystem.periods import parse_period, period_label, to_date_label

from .commissions.helpers import approved
from .factories import RuleFactory, won


@pytest.mark.parametrize(
    ("language", "quarter", "month"),
    [("fr", "T4 2026", "octobre 2026"), ("en", "Q4 2026", "October 2026")],
)
def test_period_label_says_the_quarter_and_the_month_in_the_readers_language(language, quarter, month):
    with translation.override(language):
        assert period_label("2026-Q4") == quarter
        assert period_label(parse_period("2026-Q4")) == quarter
        assert period_label("2026-10") == month
        assert period_label("2026") == "2026" and period_label(None) == "" and period_label("soon") == "soon"
        rendered = Template("{% load periods %}{{ p|period_label }}").render(Context({"p": "2026-10"}))
        assert rendered == month


@pytest.mark.parametrize(
    ("language", "under_way"),
    [("fr", "T4 2026 à date (au 2 déc.)"), ("en", "Q4 2026 to date (through 2 Dec)")],
)
def test_a_period_not_over_yet_is_marked_to_date(language, under_way):
    today = date(2026, 12, 2)
    with translation.override(language):
        assert to_date_label("2026-Q4", today) == under_way
        assert to_date_label("2026-Q3", today) == period_label("2026-Q3")  # over: its plain name
        assert to_date_label("2026-Q4", date(2026, 12, 31)) == period_label("2026-Q4")  # its last day: complete
        rendered = Template("{% load periods %}{{ p|to_date:today }}").render(Context({"p": "2026-Q4", "today": today}))
        assert rendered == under_way


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("fr", "T3 2026"), ("en", "Q3 2026")])
def test_settlement_and_statement_pages_name_the_period_not_its_code(
    client, api, channel_user, manager_user, partner_a, admin_a, language, label
):
    RuleFactory()
    won(partner_a, "1000.00", date(2026, 7, 15))
    run = approved(runner=channel_user, approver=manager_user)
    client.force_login(channel_user)
    for url in ("/commissions/settlements/", f"/commissions/settlements/{run.pk}/", "/commissions/statements/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert label in page, url
        assert ">2026-Q3<" not in page and " 2026-Q3 " not in page, url
    # The API keeps the code.
    assert api(channel_user).get(f"/api/v1/settlements/{run.pk}/").json()["period"] == "2026-Q3"


def test_the_target_deadline_sentence_says_d_ici_le_in_french():
    with translation.override("fr"):
        for sentence in (
            "On track: the trend reaches %(projected)s by %(deadline)s (target %(value)s).",
            "Not on track: the trend reaches %(projected)s by %(deadline)s, short of %(value)s.",
        ):
            said = translation.gettext(sentence) % {
                "projected": "48 %",
                "deadline": "31 décembre 2028",
                "value": "50 %",
            }
            assert "d'ici le 31 décembre 2028" in said


@pytest.mark.parametrize(("language", "label"), [("fr", "T3 2026"), ("en", "Q3 2026")])
def test_a_history_line_names_the_period(language, label):
    from audit.display import detail_items

    with translation.override(language):
        assert dict(detail_items({"period": "2026-Q3"})).popitem()[1] == label


def test_period_codes_in_a_text_recorded_earlier_are_named():
    from ecosystem.periods import name_periods

    with translation.override("fr"):
        assert name_periods("2026-Q1 (approved), 2026-10") == "T1 2026 (approved), octobre 2026"
        assert name_periods("invoice AF-2026-10-0001 of 2026-10-05") == "invoice AF-2026-10-0001 of 2026-10-05"
