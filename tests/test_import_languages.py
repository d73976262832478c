"""Import errors in the reader's language (issue 14 item 5).

A file refused at upload answers in the request's language; the rows an import job finds bad are
stored in the uploader's language (``User.language``, blank = the site's ``LANGUAGE_CODE``), whatever
the language of the request that started the job. Column names stay as in the CSV header.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import Account
from ecosystem.csvio import RowError
from jobs.models import Job

from .factories import next_siren

HEADER = "siren,name,sector,region,city,employees,is_select,vendor_awareness"


def accounts_file(*sectors: str) -> bytes:
    rows = [
        ",".join([next_siren(), f"Maison {index}", sector, "ile_de_france", "Paris", "1200", "true", "low"])
        for index, sector in enumerate(sectors)
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("accounts.csv", data, content_type="text/csv")


def import_as(api, user, data: bytes, request_language: str):
    return api(user).post(
        "/api/v1/accounts/import/", {"file": upload(data)}, format="multipart", HTTP_ACCEPT_LANGUAGE=request_language
    )


@pytest.mark.django_db(transaction=True)
class TestJobResultInTheUploadersLanguage:
    def test_a_french_uploader_reads_the_bad_rows_in_french(self, api, channel_user, settings):
        settings.LANGUAGE_CODE = "en"
        channel_user.language = "fr"
        channel_user.save(update_fields=["language"])
        response = import_as(api, channel_user, accounts_file("luxury", "x"), "en")  # the request is English
        assert response.status_code == 202, response.content
        job = Job.objects.get(pk=response.json()["id"])
        assert job.state == "failed"
        assert job.error == "1 problème(s) dans le fichier ; rien n'a été écrit."
        (error,) = job.result["errors"]
        assert error["line"] == 3
        assert error["column"] == "sector"  # the CSV header's name: data, never translated
        assert error["message"].startswith("« x » n'est pas l'une des valeurs : ")
        with translation.override("fr"):
            assert str(RowError(**error)).startswith("ligne 3, colonne sector : « x » n'est pas")
        assert Account.objects.count() == 0

    def test_an_english_uploader_reads_them_in_english(self, api, channel_user, settings):
        settings.LANGUAGE_CODE = "fr"
        channel_user.language = "en"
        channel_user.save(update_fields=["language"])
        response = import_as(api, channel_user, accounts_file("luxury", "x"), "fr")  # the request is French
        job = Job.objects.get(pk=response.json()["id"])
        assert job.state == "failed"
        assert job.error == "1 problem(s) in the file; nothing was written."
        (error,) = job.result["errors"]
        assert (error["line"], error["column"]) == (3, "sector")
        assert error["message"].startswith("'x' is not one of: ")
        with translation.override("en"):
            assert str(RowError(**error)).startswith("line 3, column sector: 'x' is not")

    def test_no_language_chosen_reads_the_sites(self, api, channel_user, settings):
        settings.LANGUAGE_CODE = "fr"
        assert channel_user.language == ""
        response = import_as(api, channel_user, accounts_file("luxury", "x", "y"), "en")
        job = Job.objects.get(pk=response.json()["id"])
        assert job.error == "2 problème(s) dans le fichier ; rien n'a été écrit."
        assert [e["line"] for e in job.result["errors"]] == [3, 4]
        assert all("n'est pas l'une des valeurs" in e["message"] for e in job.result["errors"])


@pytest.mark.django_db
class TestBadFileAtUploadInTheRequestsLanguage:
    def test_api_answers_in_french_for_a_french_request(self, api, channel_user):
        response = import_as(api, channel_user, b"name,bogus\nx,y\n", "fr")
        assert response.status_code == 400
        (message,) = response.json()["file"]
        assert message.startswith("Ligne 1 : colonne(s) manquante(s) : siren, sector")
        assert "colonne(s) inattendue(s) : bogus. Attendu exactement : siren,name," in message
        assert not Job.objects.exists()

    def test_api_answers_in_english_for_an_english_request(self, api, channel_user):
        response = import_as(api, channel_user, (HEADER + "\n").encode(), "en")
        assert response.json() == {"file": ["The file has a header but no rows."]}

    def test_a_file_over_the_limit_in_french(self, api, channel_user, settings):
        settings.IMPORT_MAX_BYTES = 100
        response = import_as(api, channel_user, accounts_file(*["luxury"] * 5), "fr")
        assert response.status_code == 400
        assert response.json()["file"][0].startswith("Le fichier")
        assert "Mo" in response.json()["file"][0]

    def test_upload_page_shows_the_file_error_in_french(self, client, channel_user):
        client.force_login(channel_user)
        response = client.post("/accounts/import/", {"file": upload(b"\xff\xfe")}, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        assert "n&#x27;est pas en UTF-8" in response.content.decode() or "n'est pas en UTF-8" in (
            response.content.decode()
        )
        assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_import_command_speaks_the_active_language(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(accounts_file("luxury", "x"))
    err = io.StringIO()
    with translation.override("fr"), pytest.raises(CommandError) as raised:
        call_command("import_accounts", str(path), stderr=err, verbosity=0)
    assert "1 problème(s) sur 2 ligne(s) ; rien n'a été écrit." in str(raised.value)
    assert f"{path}: ligne 3, colonne sector : « x » n'est pas l'une des valeurs" in err.getvalue()
    with translation.override("fr"), pytest.raises(CommandError, match="aucun fichier de ce nom"):
        call_command("import_accounts", str(tmp_path / "nope.csv"), verbosity=0)
    assert Account.objects.count() == 0
