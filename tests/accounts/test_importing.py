"""The account import (SPEC §6): every bad input answered with a clear message, nothing half-written."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.importing import import_accounts
from accounts.models import Account
from ecosystem.csvio import CsvFileError
from jobs.models import Job

from ..factories import AccountFactory, next_siren

HEADER = "siren,name,sector,region,city,employees,is_select,vendor_awareness"


def csv_bytes(*rows: str, header: str = HEADER, delimiter: str = ",", bom: bool = False) -> bytes:
    text = "\n".join([header.replace(",", delimiter), *[r.replace(",", delimiter) for r in rows]]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def row(
    siren=None,
    name="Maison Dupont",
    sector="luxury",
    region="ile_de_france",
    city="Paris",
    employees="1200",
    is_select="true",
    awareness="low",
) -> str:
    return ",".join([siren or next_siren(), name, sector, region, city, employees, is_select, awareness])


@pytest.mark.django_db
class TestGoodFiles:
    def test_creates_accounts_with_comma_or_semicolon_and_bom(self):
        result = import_accounts(csv_bytes(row(), row(name="Usine Martin", sector="industry")))
        assert (result.created, result.updated, result.unchanged, result.written) == (2, 0, 0, True)
        result = import_accounts(csv_bytes(row(city="Lyon", region="auvergne_rhone_alpes"), delimiter=";", bom=True))
        assert result.created == 1
        assert Account.objects.filter(city="Lyon", region="auvergne_rhone_alpes").exists()

    def test_reimport_updates_by_siren_and_counts_unchanged(self):
        first, second = next_siren(), next_siren()
        import_accounts(csv_bytes(row(first), row(second)))
        result = import_accounts(csv_bytes(row(first), row(second, employees="99")))
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
        assert Account.objects.get(siren=second).employees == 99
        assert Account.objects.count() == 2

    def test_updates_keep_history(self):
        existing = AccountFactory(name="Old name")
        import_accounts(csv_bytes(row(existing.siren, name="New name")))
        existing.refresh_from_db()
        assert existing.name == "New name"
        assert list(existing.history.values_list("name", flat=True)) == ["New name", "Old name"]


@pytest.mark.django_db
class TestBadFiles:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "empty"),
            (HEADER.encode() + b"\n", "no rows"),
            ("siren,name\n123,é\n".encode(), "missing column"),
            (csv_bytes(header=HEADER + ",extra"), "unexpected column(s): extra"),
            (HEADER.encode() + b"\n732829320,Caf\xe9 de Flore,retail,ile_de_france,Paris,10,true,low\n", "not UTF-8"),
            (b"\x00\x01binary" * 10, "binary"),
        ],
    )
    def test_file_level_problems_raise_a_clear_error(self, data, message):
        with pytest.raises(CsvFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
            import_accounts(data)
        assert Account.objects.count() == 0

    def test_a_file_over_the_limit_is_refused(self, settings):
        settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024
        big = csv_bytes(row()) + b"x" * (50 * 1024 * 1024)
        with pytest.raises(CsvFileError, match="limit is 52 MB"):
            import_accounts(big)

    def test_row_problems_are_listed_with_line_and_column_and_nothing_is_written(self):
        good = next_siren()
        bad_check_digit = good[:8] + str((int(good[8]) + 1) % 10)
        data = csv_bytes(
            row(good),
            row(bad_check_digit),
            row(good, name="Duplicate"),
            row(name='=HYPERLINK("http://evil")'),
            row(sector="aerospace"),
            row(employees="many"),
            row(is_select="maybe"),
            "123,too,few",
        )
        result = import_accounts(data)
        assert not result.written
        assert Account.objects.count() == 0
        found = {(e.line, e.column) for e in result.errors}
        assert found == {
            (3, "siren"),
            (4, "siren"),
            (5, "name"),
            (6, "sector"),
            (7, "employees"),
            (8, "is_select"),
            (9, ""),
        }
        messages = {e.line: e.message for e in result.errors}
        assert "check digit" in messages[3]
        assert "already appears on line 2" in messages[4]
        assert "formulas are not accepted" in messages[5]

    def test_good_rows_only_writes_the_good_rows(self):
        result = import_accounts(csv_bytes(row(), row(sector="nope"), row()), good_rows_only=True)
        assert result.written and result.created == 2 and result.skipped == 1
        assert len(result.errors) == 1


@pytest.mark.django_db
class TestCommand:
    def test_command_imports_and_reports(self, tmp_path):
        path = tmp_path / "accounts.csv"
        path.write_bytes(csv_bytes(row(), row()))
        out = io.StringIO()
        call_command("import_accounts", str(path), stdout=out, verbosity=0)
        assert "2 created" in out.getvalue()

    def test_command_fails_on_bad_rows_naming_them(self, tmp_path):
        path = tmp_path / "accounts.csv"
        path.write_bytes(csv_bytes(row(), row(region="atlantis")))
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_accounts", str(path), stderr=err, verbosity=0)
        assert "line 3, column region" in err.getvalue()
        assert Account.objects.count() == 0

    def test_command_fails_on_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="no such file"):
            call_command("import_accounts", str(tmp_path / "nope.csv"), verbosity=0)


def upload(data: bytes, name="accounts.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db(transaction=True)
class TestUploadAndApi:
    def test_api_import_runs_a_job_and_reports(self, api, users):
        response = api(users["channel"]).post(
            "/api/v1/accounts/import/", {"file": upload(csv_bytes(row(), row()))}, format="multipart"
        )
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        assert job.state == "succeeded"
        assert job.result["created"] == 2
        assert api(users["channel"]).get(f"/api/v1/jobs/{job.pk}/").json()["state"] == "succeeded"

    def test_api_import_with_bad_rows_fails_the_job_with_the_errors(self, api, users):
        response = api(users["channel"]).post(
            "/api/v1/accounts/import/", {"file": upload(csv_bytes(row(), row(sector="x")))}, format="multipart"
        )
        job = Job.objects.get(pk=response.json()["id"])
        assert job.state == "failed"
        assert job.result["errors"][0]["line"] == 3
        assert Account.objects.count() == 0

    def test_api_refuses_a_broken_file_at_once(self, api, users):
        response = api(users["channel"]).post(
            "/api/v1/accounts/import/", {"file": upload(b"name\nx\n")}, format="multipart"
        )
        assert response.status_code == 400
        assert "missing column" in response.json()["file"][0]
        assert not Job.objects.exists()

    @pytest.mark.parametrize("role", ["manager", "partner_admin", "partner_rep"])
    def test_only_the_channel_team_imports(self, api, users, role):
        response = api(users[role]).post(
            "/api/v1/accounts/import/", {"file": upload(csv_bytes(row()))}, format="multipart"
        )
        assert response.status_code == 403
        assert Account.objects.count() == 0

    def test_upload_page_redirects_to_the_job(self, client, users):
        client.force_login(users["channel"])
        assert client.get("/accounts/import/").status_code == 200
        response = client.post("/accounts/import/", {"file": upload(csv_bytes(row()))})
        assert response.status_code == 302
        job_page = client.get(response["Location"])
        assert job_page.status_code == 200
        assert Account.objects.count() == 1

    def test_upload_page_shows_file_errors_on_the_form(self, client, users):
        client.force_login(users["channel"])
        response = client.post("/accounts/import/", {"file": upload(b"")}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "empty" in response.content.decode()

    def test_partner_users_cannot_open_the_upload_page(self, client, users):
        client.force_login(users["partner_rep"])
        assert client.get("/accounts/import/").status_code == 403
