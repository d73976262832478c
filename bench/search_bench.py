"""Issue 14: ``?search=`` and the account picker on 100,000 accounts, beside the raw SQL of the same query.

Seeds 100,000 accounts with French company names and cities (accents included), then times, as the
channel team, ``GET /api/v1/accounts/?search=…`` (the first page of 50 by name, and the count) and
``GET /api/v1/accounts/pick/?q=…`` (10 suggestions) for a name without its accent, a city, a SIREN
prefix and two words; each beside the same query written by hand (``ecosystem_fold(column) LIKE``,
the page and the count). Last, the floor again with the trigram indexes dropped (in a transaction
rolled back): what the indexes are worth.
"""

import random
import time

from django.db import connection, transaction
from django.test import Client

from accounts.models import Account
from ecosystem.bulk import copy_insert
from ecosystem.choices import Region, Sector
from ecosystem.roles import Role
from ecosystem.validators import siren_with_check_digit
from users.models import User

from .harness import Figure

ACCOUNTS = 100_000
RUNS = 5
FORMS = ["Société", "Groupe", "Atelier", "Maison", "Laboratoires", "Établissements", "Compagnie", "Industries",
         "Transports", "Cabinet"]  # fmt: skip
SURNAMES = [
    "Lefèvre", "Dupont", "Moreau", "Chéron", "Fournier", "Girard", "Bonnet", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Müller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry",
    "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire",
    "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martínez", "Gérard", "Roche", "Renard", "Schmitt", "Roy",
    "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud",
    "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet",
    "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
    "Carpentier", "Sánchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher",
]  # fmt: skip
SUFFIXES = ["SA", "SAS", "SARL", "& Fils", "Conseil", "Ingénierie", "Services", ""]
CITIES = [
    "Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Lille",
    "Rennes", "Reims", "Le Havre", "Saint-Étienne", "Toulon", "Grenoble", "Dijon", "Angers", "Nîmes", "Villeurbanne",
    "Clermont-Ferrand", "Le Mans", "Aix-en-Provence", "Brest", "Tours", "Amiens", "Limoges", "Annecy", "Perpignan",
    "Boulogne-Billancourt", "Metz", "Besançon", "Orléans", "Rouen", "Mulhouse", "Caen", "Nancy", "Argenteuil",
    "Saint-Denis", "Montreuil", "Roubaix", "Tourcoing", "Avignon", "Nanterre", "Créteil", "Poitiers", "Versailles",
    "Courbevoie", "Vitry-sur-Seine", "Colombes", "Pau", "Aulnay-sous-Bois", "Asnières-sur-Seine", "Rueil-Malmaison",
    "Saint-Pierre", "Antibes", "Saint-Maur-des-Fossés", "Champigny-sur-Marne", "La Rochelle", "Aubervilliers",
]  # fmt: skip
#: (what is searched, the text typed)
SEARCHES = [
    ("a name without its accent", "lefevre"),
    ("a city without its accent", "orleans"),
    ("a SIREN prefix", "5521"),
    ("two words", "maison cheron"),
]

_PAGE_SQL = """
    SELECT id, name, siren, sector, region, city, employees, is_select, vendor_awareness FROM accounts_account
    WHERE {where} ORDER BY name, id LIMIT 50"""
_COUNT_SQL = "SELECT count(*) FROM accounts_account WHERE {where}"
_PICK_SQL = """
    SELECT id, name, siren, city FROM accounts_account WHERE {where}
    ORDER BY ecosystem_fold(name) LIKE ecosystem_fold(%s) || '%%' DESC, name, id LIMIT 10"""


def _name(rng: random.Random) -> str:
    words = [rng.choice(FORMS), rng.choice(SURNAMES), rng.choice(SURNAMES), rng.choice(SUFFIXES)]
    return " ".join(word for word in words if word)


def seed(rng: random.Random) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE opportunities_opportunity, opportunities_historicalopportunity, accounts_assignment, "
            "accounts_historicalaccount, accounts_account CASCADE"
        )
    prefixes = rng.sample(range(10_000_000, 99_999_999), ACCOUNTS)
    rows = (
        (
            _name(rng),
            siren_with_check_digit(str(prefixes[index])),
            rng.choice(Sector.values),
            rng.choice(Region.values),
            rng.choice(CITIES),
            rng.randint(10, 50_000),
            rng.random() < 0.15,
            "low",
            "2026-01-01T00:00Z",
            "2026-01-01T00:00Z",
        )
        for index in range(ACCOUNTS)
    )
    copy_insert(
        Account,
        ["name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness", "created_at",
         "updated_at"],
        rows,
    )  # fmt: skip
    with connection.cursor() as cursor:
        # As autovacuum leaves it: the rows COPY put in the GIN indexes' pending list merged into them.
        cursor.execute("VACUUM ANALYZE accounts_account")


def _where(text: str) -> tuple[str, list]:
    """The search's condition for ``text``, written by hand: every word in the folded name or city, or
    (digits) in the SIREN."""
    parts, params = [], []
    compact = text.replace(" ", "")
    words = [compact] if compact.isdigit() else text.split()
    for word in words:
        fields = ["ecosystem_fold(name) LIKE '%%' || ecosystem_fold(%s) || '%%'",
                  "ecosystem_fold(city) LIKE '%%' || ecosystem_fold(%s) || '%%'"]  # fmt: skip
        params += [word, word]
        if word.isdigit():
            fields.append("siren LIKE %s")
            params.append(f"%{word}%")
        parts.append("(" + " OR ".join(fields) + ")")
    return " AND ".join(parts), params


def _best(work) -> float:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def floor_list(text: str) -> tuple[float, int]:
    where, params = _where(text)
    counted = {}

    def work():
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_SQL.format(where=where), params)
            cursor.fetchall()
            cursor.execute(_COUNT_SQL.format(where=where), params)
            counted["n"] = cursor.fetchone()[0]

    return _best(work), counted["n"]


def floor_pick(text: str) -> float:
    where, params = _where(text)

    def work():
        with connection.cursor() as cursor:
            cursor.execute(_PICK_SQL.format(where=where), [*params, text.split()[0]])
            cursor.fetchall()

    return _best(work)


def api(client: Client, url: str, params: dict) -> tuple[float, dict]:
    answer = {}

    def work():
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        answer["body"] = response.json()

    return _best(work), answer["body"]


def run() -> list[Figure]:
    seed(random.Random(14))
    channel = User.objects.create_user("bench-search", password="x", role=Role.CHANNEL)
    client = Client()
    client.force_login(channel)
    figures = []
    for what, text in SEARCHES:
        floor, count = floor_list(text)
        seconds, body = api(client, "/api/v1/accounts/", {"search": text})
        assert body["count"] == count, (text, body["count"], count)
        figures.append(
            Figure(f"?search= {what} ({count:,} found)", seconds, "page + count SQL", floor, note=f"'{text}'")
        )
        seconds, body = api(client, "/api/v1/accounts/pick/", {"q": text})
        assert len(body["results"]) == min(10, count)
        figures.append(Figure(f"picker: {what}", seconds, "10 suggestions SQL", floor_pick(text)))
    # What the trigram indexes are worth: the same floor, the indexes dropped (and put back by the rollback).
    text = SEARCHES[0][1]
    indexed, _ = floor_list(text)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in ("account_name_search_trgm", "account_city_search_trgm", "account_siren_search_trgm"):
                cursor.execute(f"DROP INDEX {name}")
        scanned, _ = floor_list(text)
        transaction.set_rollback(True)
    figures.append(
        Figure(f"the same SQL without trigram indexes ('{text}')", scanned, "with them", indexed,
               note="a table scan: the indexes' worth")
    )  # fmt: skip
    return figures
