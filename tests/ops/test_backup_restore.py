"""Backup and restore: dump, restore into a fresh database, the figures are identical."""

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from ecosystem.backups.dumps import restore
from tests.factories import AccountFactory, AssignmentFactory, DirectOpportunityFactory, OpportunityFactory

FIGURES = {
    "partners": "SELECT count(*) FROM partners_partner",
    "accounts": "SELECT count(*) FROM accounts_account",
    "open assignments": "SELECT count(*) FROM accounts_assignment WHERE valid_to IS NULL",
    "won total": "SELECT coalesce(sum(amount), 0) FROM opportunities_opportunity WHERE stage = 'won'",
    "won through partners": (
        "SELECT coalesce(sum(amount), 0) FROM opportunities_opportunity WHERE stage = 'won' AND partner_id IS NOT NULL"
    ),
    "assignment history rows": "SELECT count(*) FROM accounts_historicalassignment",
}


def figures(conninfo: str) -> dict:
    with psycopg.connect(conninfo) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in FIGURES.items()}


def conninfo(settings: dict, name: str) -> str:
    return (
        f"host={settings.get('HOST') or 'localhost'} port={settings.get('PORT') or 5432} "
        f"user={settings.get('USER') or 'postgres'} dbname={name}"
        + (f" password={settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore: PostgreSQL only (CI runs it)")
@pytest.mark.django_db(transaction=True)
def test_dump_restore_into_a_fresh_database_gives_identical_figures(tmp_path, partner_a, partner_b):
    for index in range(5):
        account = AccountFactory()
        AssignmentFactory(account=account, partner=partner_a if index % 2 else partner_b)
        OpportunityFactory(
            account=account,
            partner=partner_a,
            stage="won",
            closed_on=date(2026, 8, 1),
            amount=Decimal("1234.56") * (index + 1),
            registration_status="approved",
        )
        DirectOpportunityFactory(account=account, stage="won", closed_on=date(2026, 8, 2), amount=Decimal("999.99"))
    settings = connection.settings_dict
    before = figures(conninfo(settings, settings["NAME"]))
    assert before["won total"] == Decimal("23518.35")  # 1234.56 × (1+2+3+4+5) + 5 × 999.99

    dump = tmp_path / "ecosystem.dump"
    call_command("backup", str(dump))
    assert dump.stat().st_size > 0

    fresh = f"{settings['NAME']}_restored"
    with psycopg.connect(conninfo(settings, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restore(dump, settings={**settings, "NAME": fresh})
        assert figures(conninfo(settings, fresh)) == before
    finally:
        with psycopg.connect(conninfo(settings, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_restore_of_a_missing_file_fails_clearly(tmp_path, db):
    with pytest.raises(Exception, match="does not exist"):
        call_command("restore", str(tmp_path / "nope.dump"), yes=True)
