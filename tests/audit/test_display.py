"""Audit details in words: labels for keys and coded values, dates, amounts and durations formatted for the
reader, in French and English (pages used to show ``role: partner_rep · expires_at: 2026-12-09T01:50:55Z``)."""

import ast
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

import audit
from audit import display
from audit.models import AuditEvent
from users.services import invite_user

SOURCE_SKIP = {".venv", "tests", "migrations", "var", "staticfiles", "node_modules", "bench", ".git"}


def _recorded_detail_keys() -> dict[str, set[str]]:
    """Every literal key the project's code puts in an audit event's detail, with the files it is in:
    ``record(..., detail={...})``, or ``detail={...}`` / ``detail["key"] = ...`` beside such a call."""
    keys: dict[str, set[str]] = {}
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        if SOURCE_SKIP & set(path.relative_to(root).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        records = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                for keyword in node.keywords:
                    if name in ("record", "_record") and keyword.arg == "detail":
                        records = True
                        if isinstance(keyword.value, ast.Dict):
                            found |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "detail" for t in node.targets):
                if isinstance(node.value, ast.Dict):
                    found |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0]
                if getattr(target.value, "id", None) == "detail" and isinstance(target.slice, ast.Constant):
                    found.add(target.slice.value)
        if records:
            for key in found:
                keys.setdefault(key, set()).add(str(path.relative_to(root)))
    return keys


def test_every_recorded_detail_key_has_a_label():
    keys = _recorded_detail_keys()
    assert {"role", "expires_at", "export"} <= set(keys)  # the walk finds them
    missing = {key: sorted(files) for key, files in keys.items() if key not in display.DETAIL_LABELS}
    assert not missing, f"give these audit detail keys a label in audit/display.py (or register one): {missing}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {"yes", "no", "12 minutes", "3 hours", "1,234.50\u00a0€", "Partner representative"}),
        ("fr", {"oui", "non", "12 minutes", "3 heures", "1\u00a0234,50\u00a0€", "Représentant partenaire"}),
    ],
)
def test_values_in_words(language, expected):
    with translation.override(language):
        texts = {
            display.value_text("known", True),
            display.value_text("created", False),
            display.value_text("idle_seconds", 725),
            display.value_text("age_seconds", 3 * 3600 + 100),
            display.value_text("total", "1234.50"),
            display.value_text("role", "partner_rep"),
        }
    assert texts == expected


def test_dates_lists_and_unknown_values():
    with translation.override("en"):
        assert display.value_text("expires_at", "2026-12-09T01:50:55.031Z") == "12/09/2026 2:50 a.m."
        assert display.value_text("starts_on", "2026-10-01") == "10/01/2026"
        assert display.value_text("ids", [3, 4]) == "3, 4"
        assert display.value_text("reference", "VIR-2026-10") == "VIR-2026-10"
        assert display.value_text("reason", "") == "—"
    with translation.override("fr"):
        assert display.value_text("expires_at", datetime(2026, 12, 9, 0, 50, tzinfo=UTC)) == (
            "09/12/2026 01:50"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words", "codes"),
    [
        ("en", ["role: Partner representative", "valid until: "], ["partner_rep", "expires_at", "T0", "T1", "T2"]),
        ("fr", ["rôle : Représentant partenaire", "valable jusqu’au : "], ["partner_rep", "expires_at", "T0", "T1"]),
    ],
)
def test_the_audit_page_and_a_users_history_speak_words(client, channel_user, admin_a, language, words, codes):
    invite_user(actor=admin_a, email="new@alpha.example", role="partner_rep", base_url="http://testserver/")
    event = AuditEvent.objects.get(kind="user.invited")
    client.force_login(channel_user)
    for url in ("/audit/", f"/portal/users/{event.target_id}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        # the detail cell of the audit list; the history table of the user's page (its form lists role codes)
        if url == "/audit/":
            detail = page.split("<small>", 1)[1].split("</small>", 1)[0]
        else:
            detail = page.rsplit("<table>")[-1].split("</table>")[0]
        for word in words:
            assert word in page, (url, word)
        for code in codes:
            assert code not in detail, (url, code)


@pytest.mark.django_db
def test_a_rule_change_is_recorded_as_parts(channel_user):
    from commissions.rules import rule_update

    from ..factories import RuleFactory

    rule = RuleFactory(name="Old name")
    rule_update(rule=rule, user=channel_user, name="New name", rate=Decimal("0.07"))
    event = AuditEvent.objects.filter(kind="rule.changed").latest("id")
    assert event.detail == {"rule": rule.pk, "change": "edited", "fields": ["name", "rate"]}
    with translation.override("en"):
        assert dict(event.detail_items)["fields"] == "name, rate"
        assert dict(event.detail_items)["change"] == "edited in place"


def test_an_app_registers_its_own_values():
    display.register(labels={"colour": "colour"}, values={"colour": {"r": "red"}})
    try:
        assert display.detail_items({"colour": "r"}) == [("colour", "red")]
    finally:
        display.DETAIL_LABELS.pop("colour"), display.VALUE_LABELS.pop("colour")


def test_record_is_the_one_entry_point():
    assert audit.record.__module__ == "audit"
