"""A job's page and API say what the job is and where it stands in the reader's language, not in codes."""

import pytest

from jobs.labels import PROGRESS_NOTES
from jobs.models import Job, JobState

pytestmark = pytest.mark.django_db


def _job(user, **fields):
    return Job.objects.create(kind="import_accounts", created_by=user, total=10, progress=3, **fields)


@pytest.mark.parametrize(
    "language, kind, state, note",
    [
        ("fr", "Import des comptes select", "En cours", "Vérification des lignes"),
        ("en", "Import of select accounts", "Running", "Checking rows"),
    ],
)
def test_job_page_and_api_in_the_readers_language(client, api, channel_user, language, kind, state, note):
    job = _job(channel_user, state=JobState.RUNNING, message="Checking rows")
    client.force_login(channel_user)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"{kind} #{job.pk}" in page
    assert note in page
    assert "import_accounts" not in page
    body = api(channel_user).get(f"/api/v1/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert (body["kind"], body["state"], body["message"]) == ("import_accounts", "running", "Checking rows")
    assert (body["kind_label"], body["state_label"], body["message_label"]) == (kind, state, note)


def test_a_note_the_jobs_did_not_write_is_shown_as_written(api, channel_user):
    job = _job(channel_user, message="3 rows checked")
    body = api(channel_user).get(f"/api/v1/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["message_label"] == "3 rows checked"


def test_every_progress_note_a_job_writes_is_listed():
    """The notes passed to ``report(done, total, note)`` in the code are the ones translated."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    written = set()
    for path in root.glob("*/*.py"):
        if ".venv" in path.parts:
            continue
        written |= set(re.findall(r"report\([^()\n]*,\s*\"([^\"]+)\"\)", path.read_text()))
    assert written and written <= set(PROGRESS_NOTES), written - set(PROGRESS_NOTES)
