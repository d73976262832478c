"""With no broker (the zero-setup default) tasks run in-process: a task's own error is reported as
that error on its job, not as an unreachable queue."""

import pytest
from celery import shared_task
from django.db import transaction

from jobs.models import Job
from jobs.services import job_create, send_after_commit


@shared_task(name="tests.ops.explode")
def explode(job_id: int) -> None:
    raise ValueError("row 3: amount is not a number")


@pytest.mark.django_db(transaction=True)
def test_a_failing_in_process_task_fails_its_job_with_its_own_error(settings):
    assert explode.app.conf.task_always_eager
    unreachable = []
    with transaction.atomic():
        job = job_create(kind="import", user=None, params={})
        send_after_commit(explode, (job.pk,), job_id=job.pk, on_unreachable=unreachable.append)
    job = Job.objects.get(pk=job.pk)
    assert job.state == "failed"
    assert job.error == "ValueError: row 3: amount is not a number"
    assert unreachable == []
