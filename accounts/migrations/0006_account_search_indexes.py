"""Trigram indexes for ``?search=`` on accounts (ecosystem/search.py), on PostgreSQL only.

A search word may fall anywhere in a name (``%word%``), which a B-tree cannot serve; a GIN
trigram index on the folded name and city (lower case, no accents) and on the SIREN can, so a
search on 100,000 accounts reads a few index pages (``make bench``: search). The indexes are
not in the models' ``Meta`` (SQLite has no trigrams): the migration state does not know them.
"""

from django.db import migrations

INDEXES = {
    "account_name_search_trgm": "ecosystem_fold(name) gin_trgm_ops",
    "account_city_search_trgm": "ecosystem_fold(city) gin_trgm_ops",
    "account_siren_search_trgm": "siren gin_trgm_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, expression in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON accounts_account USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_proposal_item_note_codes"),
        ("ecosystem", "0001_search_function"),
    ]
    operations = [migrations.RunPython(create, drop, elidable=False)]
