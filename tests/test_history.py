"""Histories in words (ecosystem/history.py): who, when, which field from what to what, with labels in the
reader's language — never a code — in a bounded number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ecosystem.history import history_entries
from partners import services
from partners.models import Partner, Roadshow

from .factories import PartnerFactory, RoadshowFactory, SecondmentFactory, UserFactory

FIELDS = ["name", "kind", "tier", "status", "regions", "specialisations", "joined_on", "capacity"]


def _changes(entry):
    return {change.label: (change.old, change.new) for change in entry.changes}


@pytest.mark.django_db
def test_a_partners_history_speaks_labels_in_both_languages(channel_user):
    partner = services.partner_create(
        user=channel_user,
        name="Delta",
        siren="732829320",
        kind="integrator",
        tier="gold",
        status="prospect",
        regions=["hauts_de_france", "ile_de_france"],
        specialisations=["ai"],
        joined_on=date(2024, 3, 1),
        capacity=10,
    )
    services.partner_update(
        partner=partner, user=channel_user, tier="platinum", regions=["hauts_de_france"], joined_on=date(2024, 4, 2)
    )
    services.partner_suspend(partner=partner, user=channel_user, reason="Contrat rompu")
    with translation.override("en"):
        suspended, changed, created = history_entries(partner, FIELDS)
        assert (suspended.who, suspended.action, suspended.reason) == ("channel", "Changed", "Contrat rompu")
        assert _changes(suspended) == {"Status": ("Prospect", "Suspended")}
        assert _changes(changed) == {
            "Tier": ("Gold", "Platinum"),
            "Regions served": ("Hauts-de-France, Île-de-France", "Hauts-de-France"),
            "Joined on": ("March 1, 2024", "April 2, 2024"),
        }
        assert created.action == "Created" and _changes(created)["Specialisations"] == (
            "",
            "AI (watsonx, Granite, Orchestrate)",
        )
    with translation.override("fr"):
        suspended, changed, created = history_entries(partner, FIELDS)
        assert suspended.action == "Modification" and _changes(suspended) == {"Statut": ("Prospect", "Suspendu")}
        assert _changes(changed)["Date d'adhésion"] == ("1 mars 2024", "2 avril 2024")
        assert created.action == "Création"
    for entry in history_entries(partner, FIELDS):
        for change in entry.changes:
            for code in ("hauts_de_france", "ile_de_france", "platinum", "suspended", "prospect"):
                assert code not in (change.old, change.new)


@pytest.mark.django_db
def test_a_related_row_is_named_and_a_system_change_said_so(channel_user, partner_a, partner_b):
    secondment = SecondmentFactory(partner=partner_a)
    services.secondment_update(secondment=secondment, user=channel_user, partner=partner_b)
    with translation.override("en"):
        moved, created = history_entries(secondment, ["partner", "expertise"])
        assert _changes(moved) == {"Partner": ("Alpha Intégration", "Bravo Services")}
        assert created.who == "System" and _changes(created)["Expertise"] == ("", "Technical")


@pytest.mark.django_db
def test_attendees_added_and_removed_by_name(channel_user, partner_a, partner_b):
    roadshow = services.roadshow_create(
        user=channel_user, title="Lille IA", city="Lille", region="hauts_de_france", date=date(2026, 5, 1)
    )
    services.roadshow_attendee_add(roadshow=roadshow, partner=partner_a, user=channel_user)
    services.roadshow_attendee_add(roadshow=roadshow, partner=partner_b, user=channel_user)
    services.roadshow_attendee_remove(roadshow=roadshow, partner=partner_a, user=channel_user)
    with translation.override("en"):
        entries = history_entries(roadshow, ["title", "region"], m2m=["partners"])
    assert [_changes(e).get("Attending partners") for e in entries[:3]] == [
        ("", "removed Alpha Intégration"),
        ("", "added Bravo Services"),
        ("", "added Alpha Intégration"),
    ]
    assert all(e.who == "channel" for e in entries)
    assert _changes(entries[-1])["Region"] == ("", "Hauts-de-France")


@pytest.mark.django_db
def test_a_save_that_changes_nothing_is_left_out_and_the_limit_holds(channel_user):
    partner = PartnerFactory()  # the factory saves twice
    assert len(history_entries(partner, FIELDS)) == 1
    for capacity in range(1, 8):
        services.partner_update(partner=partner, user=channel_user, capacity=capacity)
    entries = history_entries(partner, FIELDS, limit=3)
    assert len(entries) == 3 and _changes(entries[-1])  # the oldest shown is compared with the one before it


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_history(channel_user):
    small, large = PartnerFactory(), PartnerFactory()
    roadshow_small, roadshow_large = RoadshowFactory(), RoadshowFactory()
    others = [PartnerFactory() for _ in range(6)]
    services.partner_update(partner=small, user=channel_user, capacity=2)
    services.roadshow_attendee_add(roadshow=roadshow_small, partner=others[0], user=channel_user)
    for index in range(2, 20):
        services.partner_update(partner=large, user=UserFactory(), capacity=index)
    for other in others:
        services.roadshow_attendee_add(roadshow=roadshow_large, partner=other, user=UserFactory())
    counts = []
    for partner, roadshow in ((small, roadshow_small), (large, roadshow_large)):
        with CaptureQueriesContext(connection) as captured:
            history_entries(Partner.objects.get(pk=partner.pk), FIELDS)
            history_entries(Roadshow.objects.get(pk=roadshow.pk), ["title"], m2m=["partners"])
        counts.append(len(captured))
    assert counts[0] == counts[1]
