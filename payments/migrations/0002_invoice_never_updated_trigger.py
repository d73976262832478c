"""Issued invoices never change: a database trigger refuses any UPDATE of an invoice row (the model
refuses it too; this also stops raw SQL and ``QuerySet.update``). Deleting stays the model's to refuse:
a demo reset empties the table."""

from django.db import migrations

POSTGRES = [
    """
    CREATE FUNCTION payments_invoice_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'An issued invoice never changes (%).', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END $$
    """,
    """
    CREATE TRIGGER invoice_never_updated BEFORE UPDATE ON payments_invoice
    FOR EACH ROW EXECUTE FUNCTION payments_invoice_never_updated()
    """,
]
POSTGRES_BACK = [
    "DROP TRIGGER IF EXISTS invoice_never_updated ON payments_invoice",
    "DROP FUNCTION IF EXISTS payments_invoice_never_updated()",
]
SQLITE = [
    """
    CREATE TRIGGER invoice_never_updated BEFORE UPDATE ON payments_invoice
    BEGIN SELECT RAISE(ABORT, 'An issued invoice never changes.'); END
    """
]
SQLITE_BACK = ["DROP TRIGGER IF EXISTS invoice_never_updated"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}), _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK})
        ),
    ]
