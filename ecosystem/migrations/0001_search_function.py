"""``ecosystem_fold(text)`` on PostgreSQL: lower case, accents removed, IMMUTABLE so it can be indexed.

``unaccent`` is only STABLE (its dictionary could change); naming the dictionary explicitly and
declaring the wrapper IMMUTABLE is the usual way to index it. Both extensions ship with PostgreSQL
(contrib) and are "trusted" since PostgreSQL 13: a database owner may create them. Names are
schema-qualified so that a restore (``pg_restore`` runs with an empty search_path) finds them.
On SQLite the same function is registered on each connection (ecosystem/search.py): nothing here.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        schema = cursor.fetchone()[0]
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {schema}.ecosystem_fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $$ SELECT pg_catalog.lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$
            """
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS ecosystem_fold(text)")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
