"""``ecosystem_fold(text)`` on PostgreSQL: lower case, accents removed, IMMUTABLE so it can be indexed.

``unaccent`` is only STABLE (its dictionary could change). The usual answer: an IMMUTABLE wrapper
naming its dictionary. Best is a wrapper PostgreSQL can inline (half the cost per row, which counts
when a search rechecks thousands of rows): the C function of ``unaccent`` declared again as
IMMUTABLE, which takes a superuser; without that right, a plain SQL wrapper, slower, same results.
Both extensions ship with PostgreSQL (contrib) and are "trusted" since PostgreSQL 13: a database
owner may create them. Names are schema-qualified so that a restore (``pg_restore`` runs with an
empty search_path) finds them. On SQLite the same function is registered on each connection
(ecosystem/search.py): nothing here.
"""

from django.db import DatabaseError, migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        schema = cursor.fetchone()[0]
        dictionary = f"'{schema}.unaccent'::regdictionary"
        cursor.execute("SAVEPOINT ecosystem_unaccent")
        try:
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {schema}.ecosystem_unaccent(regdictionary, text) RETURNS text "
                "LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT AS '$libdir/unaccent', 'unaccent_dict'"
            )
            unaccent = f"{schema}.ecosystem_unaccent({dictionary}, $1)"
            cursor.execute("RELEASE SAVEPOINT ecosystem_unaccent")
        except DatabaseError:  # not a superuser: the SQL wrapper
            cursor.execute("ROLLBACK TO SAVEPOINT ecosystem_unaccent")
            unaccent = f"{schema}.unaccent({dictionary}, $1)"
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {schema}.ecosystem_fold(text) RETURNS text "
            f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT pg_catalog.lower({unaccent}) $$"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS ecosystem_fold(text)")
        cursor.execute("DROP FUNCTION IF EXISTS ecosystem_unaccent(regdictionary, text)")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
