"""Set-based writes for large imports: COPY on PostgreSQL, bulk INSERT elsewhere, history by INSERT … SELECT.

django-simple-history's own bulk helpers build a Python object per history row; for
tens of thousands of rows the history is written here in one statement per chunk
straight from the rows just written, with the same columns the library writes.
"""

import json
from collections.abc import Sequence

from django.db import connection
from django.db.models import BooleanField, JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone

CHUNK = 900  # stays under SQLite's bound-parameter limit


def copy_insert(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table; no objects, no ids returned."""
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in fields]
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        # A JSON field's value given as a dict or list goes as its JSON text (a str is taken as JSON text already).
        json_at = [i for i, name in enumerate(fields) if isinstance(model._meta.get_field(name), JSONField)]
        with connection.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        if isinstance(row[i], dict | list):
                            row[i] = json.dumps(row[i])
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=CHUNK)


def insert_history(model, *, key_field: str, keys: Sequence, history_type: str, user=None, reason: str = "") -> int:
    """Write a django-simple-history row for each ``model`` row whose ``key_field`` is in ``keys``."""
    history_model = model.history.model
    tracked = [f.column for f in model._meta.concrete_fields]
    history_columns = tracked + ["history_date", "history_type", "history_user_id", "history_change_reason"]
    table, history_table = model._meta.db_table, history_model._meta.db_table
    key_column = model._meta.get_field(key_field).column
    now = timezone.now()
    written = 0
    insert = (
        f'INSERT INTO "{history_table}" ({", ".join(history_columns)}) '
        f'SELECT {", ".join(tracked)}, %s, %s, %s, %s FROM "{table}" WHERE {key_column} '
    )
    head = [now, history_type, getattr(user, "pk", None), reason or None]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, the keys as one array parameter (no placeholder list to build and parse).
            cursor.execute(insert + "= ANY(%s)", [*head, list(keys)])
            return cursor.rowcount
        for start in range(0, len(keys), CHUNK):
            chunk = list(keys[start : start + CHUNK])
            cursor.execute(insert + f"IN ({', '.join(['%s'] * len(chunk))})", [*head, *chunk])
            written += cursor.rowcount
    return written


def update_objects(model, objects: Sequence, fields: Sequence[str], *, batch_size: int = 2000) -> None:
    """Write ``fields`` of ``objects`` (instances with their pk) back to ``model``'s table.

    On PostgreSQL through :func:`update_rows`; elsewhere ``bulk_update``. Call inside a transaction.
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, list(fields), batch_size=min(batch_size, CHUNK // max(len(fields), 1)))
        return
    attnames = [model._meta.get_field(name).attname for name in fields]
    update_rows(model, fields, [(obj.pk, *(getattr(obj, name) for name in attnames)) for obj in objects])


def update_rows(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Set ``fields`` of the rows whose pk is each tuple's first value, from the tuple's rest.

    PostgreSQL: COPY into a temporary table, then one ``UPDATE … FROM`` — tens of thousands of rows in
    a few statements, where ``bulk_update``'s ``CASE WHEN`` per row grows quadratically. Elsewhere
    ``bulk_update``. Values are plain Python values (Decimal, date, datetime, str, int, bool, None).
    Call inside a transaction.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        attnames = [model._meta.get_field(name).attname for name in fields]
        objects = [model(pk=row[0], **dict(zip(attnames, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objects, list(fields), batch_size=max(1, CHUNK // max(len(fields), 1)))
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    pk_column = model._meta.pk.column
    quoted = ", ".join(f'"{c}"' for c in [pk_column, *columns])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.bulk_update_rows")
        cursor.execute(
            f'CREATE TEMP TABLE bulk_update_rows ON COMMIT DROP AS SELECT {quoted} FROM "{table}" WITH NO DATA'
        )
        with cursor.copy(f"COPY bulk_update_rows ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f'"{c}" = u."{c}"' for c in columns)
        cursor.execute(
            f'UPDATE "{table}" t SET {assignments} FROM bulk_update_rows u WHERE t."{pk_column}" = u."{pk_column}"'
        )
        cursor.execute("DROP TABLE bulk_update_rows")


def filter_any(queryset, field: str, values: Sequence) -> list:
    """Querysets (iterate them one after the other) of ``queryset``'s rows whose ``field`` is one of ``values``.

    ``field__in`` with tens of thousands of values builds (and the driver parses) one placeholder
    per value; on PostgreSQL the values go as one array (``= ANY(%s)``), one query. Elsewhere,
    ``__in`` in chunks under SQLite's parameter limit.
    """
    values = list(values)
    if not values:
        return []
    if connection.vendor == "postgresql":
        meta = queryset.model._meta
        column = f'"{meta.db_table}"."{(meta.pk if field == "pk" else meta.get_field(field)).column}"'
        hit = RawSQL(f"{column} = ANY(%s)", (values,), output_field=BooleanField())
        return [queryset.alias(_any_hit=hit).filter(_any_hit=True)]
    return [queryset.filter(**{f"{field}__in": values[i : i + CHUNK]}) for i in range(0, len(values), CHUNK)]
