"""Bulk assignment, the assignments CSV and the assign/end pages."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from accounts.assigning import AssignmentRow, apply_assignments, import_assignments
from accounts.models import Assignment

from ..factories import AccountFactory, AssignmentFactory, next_siren

HEADER = "account_siren,partner_siren,role,valid_from"


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.mark.django_db
class TestApplyAssignments:
    def test_new_primary_ends_the_current_one_and_keeps_history(self, partner_a, partner_b, channel_user):
        account = AccountFactory()
        old = AssignmentFactory(account=account, partner=partner_a, valid_from=date(2025, 1, 1))
        result = apply_assignments(
            [AssignmentRow(account.pk, partner_b.pk, "primary", date(2026, 2, 1))],
            user=channel_user,
            reason="Better fit",
        )
        assert (result.created, result.ended, result.unchanged) == (1, 1, 0)
        old.refresh_from_db()
        assert old.valid_to == date(2026, 2, 1)
        current = Assignment.objects.open().get(account=account)
        assert current.partner == partner_b and current.assigned_by == channel_user
        assert Assignment.objects.filter(account=account).count() == 2

    def test_same_assignment_again_is_unchanged(self, partner_a):
        account = AccountFactory()
        AssignmentFactory(account=account, partner=partner_a)
        result = apply_assignments([AssignmentRow(account.pk, partner_a.pk, "primary", date(2026, 1, 1))])
        assert (result.created, result.ended, result.unchanged) == (0, 0, 1)

    def test_secondary_does_not_end_the_primary(self, partner_a, partner_b):
        account = AccountFactory()
        AssignmentFactory(account=account, partner=partner_a)
        apply_assignments([AssignmentRow(account.pk, partner_b.pk, "secondary", date(2026, 1, 1))])
        assert Assignment.objects.open().filter(account=account).count() == 2

    def test_a_start_before_the_current_start_is_refused_and_nothing_written(self, partner_a, partner_b):
        account, other = AccountFactory(), AccountFactory()
        AssignmentFactory(account=account, partner=partner_a, valid_from=date(2026, 3, 1))
        result = apply_assignments(
            [
                AssignmentRow(other.pk, partner_b.pk, "primary", date(2026, 1, 1), line=2),
                AssignmentRow(account.pk, partner_b.pk, "primary", date(2026, 1, 1), line=3),
            ]
        )
        assert not result.written
        assert result.errors[0].line == 3 and result.errors[0].column == "valid_from"
        assert not Assignment.objects.filter(partner=partner_b).exists()

    def test_bulk_makes_a_constant_number_of_queries(self, partner_a, django_assert_max_num_queries):
        accounts = AccountFactory.create_batch(60)
        rows = [AssignmentRow(a.pk, partner_a.pk, "primary", date(2026, 1, 1)) for a in accounts]
        with django_assert_max_num_queries(12):
            result = apply_assignments(rows)
        assert result.created == 60


@pytest.mark.django_db
class TestAssignmentsFile:
    def test_import_applies_rows(self, partner_a):
        account = AccountFactory()
        result = import_assignments(csv_bytes(f"{account.siren},{partner_a.siren},primary,2026-01-15"))
        assert result.written and result.created == 1
        assert Assignment.objects.get(account=account).valid_from == date(2026, 1, 15)

    def test_bad_rows_are_named_and_nothing_written(self, partner_a):
        account = AccountFactory()
        bad_digit = account.siren[:8] + str((int(account.siren[8]) + 1) % 10)
        result = import_assignments(
            csv_bytes(
                f"{account.siren},{partner_a.siren},primary,2026-01-15",
                f"{account.siren},{next_siren()},primary,2026-01-15",
                f"{bad_digit},{partner_a.siren},primary,2026-01-15",
                f"{account.siren},{partner_a.siren},boss,2026-01-15",
                f"{account.siren},{partner_a.siren},primary,1900-01-01",
                f"{account.siren},{partner_a.siren},primary,yesterday",
            )
        )
        assert not result.written
        assert {(e.line, e.column) for e in result.errors} == {
            (3, "partner_siren"),
            (4, "account_siren"),
            (5, "role"),
            (6, "valid_from"),
            (7, "valid_from"),
        }
        assert "no partner has SIREN" in result.errors[0].message
        assert not Assignment.objects.exists()

    def test_duplicate_primary_in_file_is_refused(self, partner_a, partner_b):
        account = AccountFactory()
        result = import_assignments(
            csv_bytes(f"{account.siren},{partner_a.siren},primary,", f"{account.siren},{partner_b.siren},primary,")
        )
        assert not result.written
        assert result.errors[0].line == 3 and "line 2" in result.errors[0].message

    def test_command(self, tmp_path, partner_a):
        account = AccountFactory()
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes(f"{account.siren},{partner_a.siren},primary,01/02/2026"))
        call_command("import_assignments", str(path))
        assert Assignment.objects.get(account=account).valid_from == date(2026, 2, 1)
        path.write_bytes(csv_bytes(f"{account.siren},{next_siren()},primary,"))
        with pytest.raises(CommandError):
            call_command("import_assignments", str(path))


@pytest.mark.django_db
class TestApi:
    def test_bulk_endpoint(self, api, users, partner_a):
        accounts = AccountFactory.create_batch(3)
        response = api(users["channel"]).post(
            "/api/v1/assignments/bulk/", {"accounts": [a.pk for a in accounts], "partner": partner_a.pk}
        )
        assert response.status_code == 200, response.content
        assert response.json()["created"] == 3

    @pytest.mark.parametrize("role", ["manager", "partner_admin", "partner_rep"])
    def test_bulk_is_for_the_channel_team(self, api, users, partner_a, role):
        account = AccountFactory()
        response = api(users[role]).post(
            "/api/v1/assignments/bulk/", {"accounts": [account.pk], "partner": partner_a.pk}
        )
        assert response.status_code == 403
        assert not Assignment.objects.exists()

    def test_bulk_with_unknown_ids_names_the_field(self, api, users, partner_a):
        response = api(users["channel"]).post(
            "/api/v1/assignments/bulk/", {"accounts": [999999], "partner": partner_a.pk}
        )
        assert response.status_code == 400
        assert "accounts" in response.json()


@pytest.mark.django_db
class TestPages:
    def test_assign_the_filtered_selection(self, client, users, partner_a):
        AccountFactory.create_batch(3, region="bretagne")
        AccountFactory(region="corse")
        client.force_login(users["channel"])
        page = client.get("/accounts/assign/?region=bretagne")
        assert page.context["count"] == 3
        response = client.post("/accounts/assign/?region=bretagne", {"partner": partner_a.pk, "role": "primary"})
        assert response.status_code == 302
        assert Assignment.objects.filter(partner=partner_a).count() == 3

    def test_assign_and_end_from_the_account_page(self, client, users, partner_a):
        account = AccountFactory()
        client.force_login(users["channel"])
        client.post(f"/accounts/{account.pk}/assign/", {"partner": partner_a.pk, "role": "primary"})
        assignment = Assignment.objects.get(account=account)
        client.post(f"/accounts/assignments/{assignment.pk}/end/", {"reason": "Partner left"})
        assignment.refresh_from_db()
        assert assignment.valid_to is not None and assignment.reason == "Partner left"
        assert "Partner left" in client.get(f"/accounts/{account.pk}/").content.decode()

    @pytest.mark.parametrize("role", ["manager", "partner_rep"])
    def test_others_cannot_assign(self, client, users, partner_a, role):
        account = AccountFactory()
        client.force_login(users[role])
        assert client.post(f"/accounts/{account.pk}/assign/", {"partner": partner_a.pk}).status_code == 403
        assert client.get("/accounts/assign/").status_code == 403
        assert not Assignment.objects.exists()

    def test_partner_cannot_end_another_partners_assignment(self, client, users, partner_b):
        assignment = AssignmentFactory(partner=partner_b)
        client.force_login(users["partner_rep"])
        assert client.post(f"/accounts/assignments/{assignment.pk}/end/").status_code == 403
        assignment.refresh_from_db()
        assert assignment.valid_to is None


@pytest.mark.django_db
def test_the_system_reason_of_an_ended_assignment_reads_in_the_readers_language():
    from django.utils import translation

    from accounts.models import REASSIGNED, Assignment

    with translation.override("fr"):
        assert str(Assignment(reason=REASSIGNED).reason_text) == "Réattribué"
        assert Assignment(reason="Typed by the channel team").reason_text == "Typed by the channel team"
    with translation.override("en"):
        assert str(Assignment(reason=REASSIGNED).reason_text) == "Reassigned"
