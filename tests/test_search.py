"""``?search=`` on partners and accounts (ecosystem/search.py): name, SIREN and city, accent- and
case-insensitive, the same on SQLite and PostgreSQL; scoped like the lists; on PostgreSQL served by
the trigram indexes of the migration."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from ecosystem.search import fold, search_condition, words
from partners.models import Partner

from .factories import AccountFactory, AssignmentFactory, PartnerFactory


def test_fold_lowers_and_strips_accents():
    assert fold("Société Générale") == "societe generale"
    assert fold("ŒUVRE Ærospace Straße") == "oeuvre aerospace strasse"
    assert fold("Île-de-France") == "ile-de-france"
    assert fold(None) is None


def test_words_keep_a_spaced_siren_whole_and_are_bounded():
    assert words("  552 100 554 ") == ["552100554"]
    assert words("Maison  Lumière") == ["Maison", "Lumière"]
    assert words("") == [] and words(None) == []
    assert len(words("a b c d e f g h")) == 5


@pytest.fixture
def companies(db):
    return {
        "generale": AccountFactory(name="Société Générale", city="Paris", siren="552120222"),
        "lumiere": AccountFactory(name="Maison LUMIÈRE", city="Lyon"),
        "orleans": AccountFactory(name="Atelier Dupont", city="Orléans"),
        "other": AccountFactory(name="Usine du Nord", city="Lille"),
    }


def _names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("societe", ["Société Générale"]),
        ("SOCIÉTÉ générale", ["Société Générale"]),
        ("lumiere", ["Maison LUMIÈRE"]),
        ("orleans", ["Atelier Dupont"]),  # by city, without its accent
        ("lyon maison", ["Maison LUMIÈRE"]),  # every word, in any field
        ("lyon usine", []),
        ("552120", ["Société Générale"]),  # part of a SIREN
        ("552 120 222", ["Société Générale"]),
        ("100%_", []),  # LIKE's wildcards are plain characters
        ("", ["Atelier Dupont", "Maison LUMIÈRE", "Société Générale", "Usine du Nord"]),
    ],
)
def test_accounts_by_name_city_and_siren(companies, text, expected):
    found = Account.objects.filter(search_condition(text, folded=("name", "city"), exact=("siren",)))
    assert _names(found) == expected


@pytest.mark.django_db
def test_api_search_on_accounts_and_partners(api, channel_user, companies):
    PartnerFactory(name="Intégrateur Éclair", siren="732829320")
    PartnerFactory(name="Other Partner")
    client = api(channel_user)
    body = client.get("/api/v1/accounts/", {"search": "generale"}).json()
    assert [row["name"] for row in body["results"]] == ["Société Générale"] and body["count"] == 1
    body = client.get("/api/v1/partners/", {"search": "eclair"}).json()
    assert [row["name"] for row in body["results"]] == ["Intégrateur Éclair"]
    assert client.get("/api/v1/partners/", {"search": "732829"}).json()["count"] == 1


@pytest.mark.django_db
def test_a_partner_users_search_stays_in_its_scope(api, client, rep_a, partner_a, partner_b, companies):
    AssignmentFactory(partner=partner_a, account=companies["lumiere"])
    AssignmentFactory(partner=partner_b, account=companies["generale"])
    body = api(rep_a).get("/api/v1/accounts/", {"search": "e"}).json()
    assert [row["name"] for row in body["results"]] == ["Maison LUMIÈRE"] and body["count"] == 1
    assert api(rep_a).get("/api/v1/accounts/", {"search": "generale"}).json()["count"] == 0
    assert [p["name"] for p in api(rep_a).get("/api/v1/partners/", {"search": "a"}).json()["results"]] == [
        partner_a.name
    ]
    client.force_login(rep_a)
    page = client.get("/accounts/", {"search": "generale"}).content.decode()
    assert "Société Générale" not in page


@pytest.mark.django_db
def test_the_list_pages_search(client, channel_user, companies):
    PartnerFactory(name="Intégrateur Éclair")
    client.force_login(channel_user)
    page = client.get("/accounts/", {"search": "LUMIERE"}).content.decode()
    assert "Maison LUMIÈRE" in page and "Société Générale" not in page
    assert 'type="search"' in page and 'name="search"' in page
    page = client.get("/partners/", {"search": "eclair"}).content.decode()
    assert "Intégrateur Éclair" in page


@pytest.mark.django_db
def test_search_makes_one_query_for_the_rows(api, channel_user, companies):
    for index in range(20):
        AccountFactory(name=f"Société {index}")
    client = api(channel_user)
    client.get("/api/v1/accounts/", {"search": "societe"})
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/accounts/", {"search": "generale"})
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/accounts/", {"search": "societe"}).json()
    assert body["count"] == 21
    assert len(few) == len(many)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_postgresql_serves_the_search_from_the_trigram_indexes(companies):
    """The indexes' expressions are the search's: with sequential scans off, the plan reads them."""
    queryset = Account.objects.filter(search_condition("552", folded=("name", "city"), exact=("siren",)))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    for index in ("account_name_search_trgm", "account_city_search_trgm", "account_siren_search_trgm"):
        assert index in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        cursor.execute("SELECT pg_get_functiondef('ecosystem_fold'::regproc)")
        definition = cursor.fetchone()[0]
    # A superuser's migration made the inlinable function (unaccent's C function declared IMMUTABLE).
    assert ("ecosystem_unaccent" in definition) == superuser
    assert Partner.objects.filter(search_condition("lumière", folded=("name",))).count() == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is created on PostgreSQL only")
def test_without_superuser_rights_the_fold_function_is_the_sql_wrapper_with_the_same_results():
    """The migration declares unaccent's C function IMMUTABLE when it may (a superuser), else falls back on a
    plain SQL wrapper. Replayed here as a role without that right, in a transaction rolled back."""
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module("ecosystem.migrations.0001_search_function")
    with connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION ecosystem_fold(text) CASCADE")  # its indexes too, until the rollback
        cursor.execute("DROP FUNCTION IF EXISTS ecosystem_unaccent(regdictionary, text)")
        cursor.execute("CREATE ROLE ecosystem_fold_test NOSUPERUSER")
        cursor.execute("GRANT CREATE ON SCHEMA public TO ecosystem_fold_test")
        cursor.execute("SET LOCAL ROLE ecosystem_fold_test")
        migration.create(None, SimpleNamespace(connection=connection))
        cursor.execute("SELECT ecosystem_fold('Société ÉCLAIR Œuvre'), pg_get_functiondef('ecosystem_fold'::regproc)")
        folded, definition = cursor.fetchone()
        cursor.execute("RESET ROLE")
    assert folded == "societe eclair oeuvre" == fold("Société ÉCLAIR Œuvre")
    assert "ecosystem_unaccent" not in definition and "unaccent(" in definition
