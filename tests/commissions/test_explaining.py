"""Explanations and exception reasons are stored as parts and rendered in the reader's language
(commissions/explaining.py); the English text stored before is read back into parts
(commissions/legacy_explanations.py, migration 0014)."""

import pytest
from django.utils import translation

from commissions import explaining
from commissions.legacy_explanations import explanation_parts, reason_parts
from commissions.models import PayoutLine, SettlementException

from ..factories import RuleFactory, won
from .helpers import Q3_DAY, computed, current_lines, plain

PERCENT = {"kind": "percent", "base": "12345.67", "rate": "8", "value": "987.65"}
ACCELERATOR = {
    "kind": "accelerator", "multiplier": "1.5", "quota": "20000.00", "won": "25000.00", "attainment": "125.0",
    "threshold": "100", "value": "900.00",
}  # fmt: skip
CAP = {"kind": "deal_cap", "cap": "800.00"}
COMMISSION = {"kind": "commission", "rule": "Base", "steps": [PERCENT, ACCELERATOR, CAP]}

#: One example of every kind of parts, with its English and French rendering (no-break spaces as spaces).
EXAMPLES = [
    (
        COMMISSION,
        "Base: 12,345.67 € × 8 % = 987.65 €; accelerator × 1.5 (quota 20,000.00 €, won 25,000.00 €: attainment "
        "125.0 % ≥ threshold 100 %) = 900.00 €; capped at 800.00 € per deal",
        "Base: 12 345,67 € × 8 % = 987,65 €; accélérateur × 1,5 (quota 20 000,00 €, gagné 25 000,00 € : atteinte "
        "125,0 % ≥ seuil 100 %) = 900,00 €; plafonné à 800,00 € par affaire",
    ),
    (
        {"kind": "commission", "rule": "Flat", "steps": [{"kind": "flat", "value": "150.55"}]},
        "Flat: flat 150.55 € per deal",
        "Flat: forfait de 150,55 € par affaire",
    ),
    (
        {
            "kind": "commission",
            "rule": "Retro",
            "steps": [
                {"kind": "below_first_band", "total": "10000.00", "first": "20000.00"},
                {"kind": "percent", "base": "10000.00", "rate": "0", "value": "0.00"},
            ],
        },
        "Retro: period total 10,000.00 € is below the first band (20,000.00 €); 10,000.00 € × 0 % = 0.00 €",
        "Retro: total de la période 10 000,00 € sous la première tranche (20 000,00 €); 10 000,00 € × 0 % = 0,00 €",
    ),
    (
        {
            "kind": "commission",
            "rule": "Retro",
            "steps": [
                {"kind": "band_reached", "total": "150000.00", "rate": "7.5"},
                {"kind": "period_cap", "cap": "100.00", "cut": "20.00", "payout": "80.00"},
            ],
        },
        "Retro: period total 150,000.00 € reaches the 7.5 % band (retroactive); period cap 100.00 € reached: "
        "trimmed by 20.00 € to 80.00 €",
        "Retro: total de la période 150 000,00 € : tranche à 7,5 % atteinte (rétroactif); plafond de période de "
        "100,00 € atteint : réduit de 20,00 € à 80,00 €",
    ),
    (
        {
            "kind": "commission",
            "rule": "Tiers",
            "steps": [
                {"kind": "cumulative", "from": "90000.00", "to": "110000.00"},
                {"kind": "portions", "portions": [["10000.00", "5"], ["10000.00", "10"]], "value": "1500.00"},
            ],
        },
        "Tiers: cumulative 90,000.00 € → 110,000.00 € (marginal bands); 10,000.00 € × 5 % + 10,000.00 € × 10 % "
        "= 1,500.00 €",
        "Tiers: cumul 90 000,00 € → 110 000,00 € (tranches marginales); 10 000,00 € × 5 % + 10 000,00 € × 10 % "
        "= 1 500,00 €",
    ),
    (
        {"kind": "commission", "rule": "T", "steps": [{"kind": "portions", "portions": [], "value": "0.00"}]},
        "T: no band reached = 0.00 €",
        "T: aucune tranche atteinte = 0,00 €",
    ),
    (
        {
            "kind": "adjustment",
            "period": "2026-Q3",
            "change": "changed",
            "owed": "150.00",
            "paid": "100.00",
            "difference": "50.00",
            "now": {"kind": "commission", "rule": "B", "steps": [{"kind": "flat", "value": "150.00"}]},
        },
        "Adjustment for 2026-Q3 (amount or rule changed): now owed 150.00 €, paid 100.00 €, difference 50.00 €. "
        "Now: B: flat 150.00 € per deal",
        "Ajustement de 2026-Q3 (montant ou règle modifiés) : dû désormais 150,00 €, payé 100,00 €, différence "
        "50,00 €. Désormais : B: forfait de 150,00 € par affaire",
    ),
    (
        {
            "kind": "adjustment",
            "period": "2026-Q3",
            "change": "newly_owed",
            "owed": "5000.00",
            "paid": "0.00",
            "difference": "5000.00",
            "now": {"kind": "text", "text": "x"},
        },
        "Adjustment for 2026-Q3 (newly owed: a late win, a new rule or a deal now this partner's): now owed "
        "5,000.00 €, paid 0.00 €, difference 5,000.00 €. Now: x",
        "Ajustement de 2026-Q3 (nouvellement dû : gain tardif, nouvelle règle ou affaire désormais de ce partenaire) "
        ": dû désormais 5 000,00 €, payé 0,00 €, différence 5 000,00 €. Désormais : x",
    ),
    (
        {"kind": "clawback", "period": "2026-Q3", "paid": "5000.00"},
        "Clawback for 2026-Q3: no longer owed to this partner (the deal is no longer won, no longer this partner's "
        "or no longer paid by this rule); paid 5,000.00 €, reversed -5,000.00 €.",
        "Reprise sur 2026-Q3 : n'est plus dû à ce partenaire (l'affaire n'est plus gagnée, n'est plus la sienne ou "
        "n'est plus payée par cette règle) ; payé 5 000,00 €, repris -5 000,00 €.",
    ),
    (
        {
            "kind": "manual",
            "by": "channel",
            "on": "2026-10-05",
            "amount": "-10.00",
            "reason": "Duplicate",
            "dispute": None,
            "deal": 42,
            "corrects": None,
            "corrects_period": "",
        },
        "Manual adjustment by channel on 10/05/2026: -10.00 €. Reason: Duplicate (deal #42)",
        "Ajustement manuel par channel le 05/10/2026 : -10,00 €. Motif : Duplicate (affaire n° 42)",
    ),
    (
        {
            "kind": "manual",
            "by": "channel",
            "on": "2026-10-05",
            "amount": "20.00",
            "reason": "12 %",
            "dispute": 7,
            "deal": 42,
            "corrects": 9,
            "corrects_period": "2026-Q3",
        },
        "Dispute #7 accepted by channel on 10/05/2026: 20.00 €. Resolution: 12 % (corrects line 9 of 2026-Q3, "
        "deal #42)",
        "Contestation n° 7 acceptée par channel le 05/10/2026 : 20,00 €. Résolution : 12 % (corrige la ligne 9 de "
        "2026-Q3, affaire n° 42)",
    ),
    ({"kind": "no_rule_in_force"}, "no commission rule is in force", "aucune règle de commission en vigueur"),
    (
        {
            "kind": "no_rule_matches",
            "misses": [
                [{"kind": "not_in", "field": "product_line", "value": "security", "allowed": ["ai", "data"]}, 2],
                [{"kind": "amount_below", "amount": "1000.00"}, 1],
                [{"kind": "not_in", "field": "partner_tier", "value": "", "allowed": ["gold"]}, 1],
            ],
        },
        "no rule matches: product line Security not in AI (watsonx, Granite, Orchestrate), Data (Astra DB, vector "
        "databases) (2 rules); amount below 1,000.00 € (1 rule); partner tier (none) not in Gold (1 rule)",
        "aucune règle ne s'applique : gamme de produits Sécurité hors de IA (watsonx, Granite, Orchestrate), "
        "Données (Astra DB, bases de données vectorielles) (2 règles); montant inférieur à 1 000,00 € (1 règle); "
        "niveau du partenaire (aucun) hors de Gold (1 règle)",
    ),
    (
        {
            "kind": "no_rule_matches",
            "misses": [
                [{"kind": "not_in_force"}, 1],
                [{"kind": "amount_above", "amount": "50000.00"}, 1],
                [{"kind": "select_only"}, 1],
            ],
        },
        "no rule matches: not in force on the closing date (1 rule); amount above 50,000.00 € (1 rule); "
        "select accounts only (1 rule)",
        "aucune règle ne s'applique : pas en vigueur à la date de clôture (1 règle); montant supérieur à "
        "50 000,00 € (1 règle); comptes select uniquement (1 règle)",
    ),
    (
        {
            "kind": "no_rule_matches",
            "misses": [
                [{"kind": "non_select_only"}, 1],
                [{"kind": "registration_required"}, 3],
                [{"kind": "not_in", "field": "partner_kind", "value": "isv", "allowed": ["msp"]}, 1],
            ],
        },
        "no rule matches: non-select accounts only (1 rule); needs an approved deal registration (3 rules); "
        "partner kind ISV not in Managed service provider (1 rule)",
        "aucune règle ne s'applique : comptes non select uniquement (1 règle); exige un enregistrement d'affaire "
        "approuvé (3 règles); type de partenaire Éditeur de logiciels (ISV) hors de Fournisseur de services managés "
        "(1 règle)",
    ),
    ({"kind": "text", "text": "Goodwill"}, "Goodwill", "Goodwill"),
]


def rendered(parts, language):
    with translation.override(language):
        return plain(explaining.render(parts))


@pytest.mark.parametrize(("parts", "english", "french"), EXAMPLES)
def test_every_kind_of_parts_reads_in_english_and_in_french(parts, english, french):
    assert rendered(parts, "en") == english
    assert rendered(parts, "fr") == french


def test_amounts_in_a_rendered_explanation_never_wrap():
    with translation.override("fr"):
        text = explaining.render(COMMISSION)
    assert "12\xa0345,67\xa0€" in text and "8\xa0%" in text


def test_parts_of_an_unexpected_shape_read_as_stored_never_an_error():
    assert explaining.render({"kind": "commission"}) == ""
    assert explaining.render({"kind": "adjustment", "period": "2026-Q3"}) == ""
    assert explaining.render({"kind": "unknown", "text": "kept"}) == "kept"
    assert explaining.render({}) == "" and explaining.render(None) == ""


@pytest.mark.django_db
def test_the_same_stored_line_reads_in_each_readers_language(partner_a):
    RuleFactory(name="AI 10 %", rate="0.10", product_lines=["ai"])
    won(partner_a, "1000.00", Q3_DAY)
    unpaid = won(partner_a, "700.00", Q3_DAY, product_line="security")
    run = computed()
    line = current_lines(run).get()
    stored = PayoutLine.objects.get(pk=line.pk)
    # A plain percent line stores no steps: its base, rate and payout columns say them (commissions/line_parts.py).
    assert stored.explanation_parts == {"kind": "commission", "rule": "AI 10 %"}
    assert stored.parts == {
        "kind": "commission", "rule": "AI 10 %",
        "steps": [{"kind": "percent", "base": "1000.00", "rate": "10", "value": "100.00"}],
    }  # fmt: skip
    with translation.override("en"):
        assert plain(line.explanation) == "AI 10 %: 1,000.00 € × 10 % = 100.00 €"
    with translation.override("fr"):
        assert plain(line.explanation) == "AI 10 %: 1 000,00 € × 10 % = 100,00 €"
    exception = SettlementException.objects.get(run=run, opportunity=unpaid)
    with translation.override("en"):
        assert plain(exception.reason).startswith("no rule matches: product line Security not in AI")
    with translation.override("fr"):
        assert plain(exception.reason).startswith("aucune règle ne s'applique : gamme de produits Sécurité hors de IA")


@pytest.mark.django_db
def test_the_api_renders_the_line_in_the_requests_language_beside_its_parts(api, admin_a, partner_a, channel_user):
    from .helpers import approved

    RuleFactory(name="AI 10 %", rate="0.10", product_lines=["ai"])
    won(partner_a, "1000.00", Q3_DAY)
    run = approved(runner=channel_user)
    statement = run.statements.get(partner=partner_a)
    for language, expected in (("en", "AI 10 %: 1,000.00 € × 10 % = 100.00 €"),
                               ("fr", "AI 10 %: 1 000,00 € × 10 % = 100,00 €")):  # fmt: skip
        body = api(admin_a).get(f"/api/v1/statements/{statement.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        [line] = body["lines"]
        assert plain(line["explanation"]) == expected
        assert line["explanation_parts"]["steps"][0]["kind"] == "percent"


# --- The English text stored before parts: read back into parts (migration 0014) -------------------

LEGACY = [
    # (old text, its parts) — one of each format the engines, adjustments and manual lines wrote.
    ("Base: 12 345.67 € × 8 % = 987.65 €; accelerator × 1.5 (quota 20 000.00 €, won 25 000.00 €: attainment "
     "125.0 % ≥ threshold 100 %) = 900.00 €; capped at 800.00 € per deal", COMMISSION),
    ("Flat: flat 150.55 € per deal", EXAMPLES[1][0]),
    ("Retro: period total 10 000.00 € is below the first band (20 000.00 €); 10 000.00 € × 0 % = 0.00 €",
     EXAMPLES[2][0]),
    ("Retro: period total 150 000.00 € reaches the 7.5 % band (retroactive); period cap 100.00 € reached: "
     "trimmed by 20.00 € to 80.00 €", EXAMPLES[3][0]),
    ("Tiers: cumulative 90 000.00 € → 110 000.00 € (marginal bands); 10 000.00 € × 5 % + 10 000.00 € × 10 % "
     "= 1 500.00 €", EXAMPLES[4][0]),
    ("T: no band reached = 0.00 €", EXAMPLES[5][0]),
    ("Rule: with a colon: 100.00 € × 2 % = 2.00 €", {"kind": "commission", "rule": "Rule: with a colon", "steps": [
        {"kind": "percent", "base": "100.00", "rate": "2", "value": "2.00"}]}),
    ("Adjustment for 2026-Q3 (amount or rule changed): now owed 150.00 €, paid 100.00 €, difference 50.00 €. "
     "Now: B: flat 150.00 € per deal", EXAMPLES[6][0]),
    ("Adjustment for 2026-Q3 (newly owed: a late win, a new rule or a deal now this partner's): now owed "
     "5 000.00 €, paid 0.00 €, difference 5 000.00 €. Now: x", EXAMPLES[7][0]),
    ("Clawback for 2026-Q3: no longer owed to this partner (the deal is no longer won, no longer this partner's "
     "or no longer paid by this rule); paid 5 000.00 €, reversed -5 000.00 €.", EXAMPLES[8][0]),
    ("Manual adjustment by channel on 2026-10-05: -10.00 €. Reason: Duplicate (deal #42)", EXAMPLES[9][0]),
    ("Dispute #7 accepted by channel on 2026-10-05: 20.00 €. Resolution: 12 % (corrects line 9 of 2026-Q3, "
     "deal #42)", EXAMPLES[10][0]),
    ("Goodwill", {"kind": "text", "text": "Goodwill"}),
    ("Base: something the engines never wrote", {"kind": "text", "text": "Base: something the engines never wrote"}),
]  # fmt: skip

LEGACY_REASONS = [
    ("no commission rule is in force", {"kind": "no_rule_in_force"}),
    ("no rule matches: product line security not in ai, data (2 rules); amount below 1 000.00 € (1 rule); "
     "partner tier (none) not in gold (1 rule)", EXAMPLES[12][0]),
    ("no rule matches: not in force on the closing date (1 rule); amount above 50 000.00 € (1 rule); "
     "select accounts only (1 rule)", EXAMPLES[13][0]),
    ("no rule matches: non-select accounts only (1 rule); needs an approved deal registration (3 rules); "
     "partner kind isv not in msp (1 rule)", EXAMPLES[14][0]),
    ("no rule matches: something else (1 rule)", {"kind": "text", "text": "no rule matches: something else (1 rule)"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "parts"), LEGACY)
def test_every_old_explanation_format_is_read_back_into_parts(text, parts):
    assert explanation_parts(text) == parts


@pytest.mark.parametrize(("text", "parts"), LEGACY_REASONS)
def test_every_old_exception_reason_is_read_back_into_parts(text, parts):
    assert reason_parts(text) == parts


def test_words_the_parser_does_not_know_read_verbatim_in_every_language():
    for language in ("en", "fr"):
        assert rendered(explanation_parts("Goodwill: as agreed"), language) == "Goodwill: as agreed"
