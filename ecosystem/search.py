"""Text search on names, SIRENs and cities: accent- and case-insensitive, the same on both databases.

``search_condition(text, folded=("name", "city"), exact=("siren",))`` is a ``Q`` that a queryset
filters on: every word of ``text`` must appear in one of the fields (words are AND-ed, fields
OR-ed, as DRF's search does). Words are compared *folded*: lower case, accents removed, by the SQL
function ``ecosystem_fold(text)``, applied to the column and to the word alike.

- PostgreSQL: ``ecosystem_fold`` is created by the migration ``ecosystem/0001_search_function``
  (``lower(unaccent(…))``, declared IMMUTABLE so that it can be indexed), and the accounts' name
  and city carry trigram indexes on it (``accounts/…_account_search_indexes``): a ``LIKE '%word%'``
  on 100,000 accounts reads the index, not the table.
- SQLite (the zero-setup default): the same function, written in Python, is registered on every
  new connection (``ecosystem.apps``); a search scans the table, which is fine at that size.

A word made of digits only (a SIREN or part of one, spaces allowed: ``552 100 554``) is compared
with the ``exact`` fields as typed, and with the folded ones too (a name may hold digits).
"""

import unicodedata

from django.db.models import CharField, Func, Q, Value
from django.db.models.lookups import Contains, StartsWith

FOLD_FUNCTION = "ecosystem_fold"
#: Words beyond these are ignored, and a longer text is cut: a search box is not a document.
MAX_WORDS = 5
MAX_LENGTH = 100

# What PostgreSQL's unaccent maps to several letters, which Unicode decomposition leaves alone.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l"})


def fold(value: str | None) -> str | None:
    """Lower case without accents: ``"Société Générale"`` → ``"societe generale"`` (SQLite's
    ``ecosystem_fold``; PostgreSQL's is ``lower(unaccent(…))``)."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value).translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


class Fold(Func):
    """``ecosystem_fold(expression)``: the folded text of a column or a value."""

    function = FOLD_FUNCTION
    output_field = CharField()


def words(text: str | None) -> list[str]:
    """The words of a search text; digits separated by spaces (a SIREN typed ``552 100 554``) are one."""
    text = " ".join((text or "").split())[:MAX_LENGTH]
    if not text:
        return []
    compact = text.replace(" ", "")
    if compact.isdigit():
        return [compact]
    return text.split(" ")[:MAX_WORDS]


def search_condition(text: str | None, *, folded=("name",), exact=()) -> Q:
    """Rows where every word of ``text`` is in one of the fields (an empty text: every row)."""
    condition = Q()
    for word in words(text):
        any_field = Q()
        for field in folded:
            any_field |= Q(Contains(Fold(field), Fold(Value(word))))
        if word.isdigit():
            for field in exact:
                any_field |= Q(**{f"{field}__contains": word})
        condition &= any_field
    return condition


def starts_with(field: str, text: str | None):
    """True when the folded ``field`` starts with the folded first word of ``text``: the better match,
    listed first by the pickers."""
    found = words(text)
    return StartsWith(Fold(field), Fold(Value(found[0] if found else "")))


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each new SQLite connection its ``ecosystem_fold``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
