"""Celery tasks of the insights app: bookings import and the share snapshot."""

from celery import shared_task

from jobs.imports import run_import_job
from jobs.services import run_job

from .bookings import import_bookings
from .snapshots import take_snapshot


@shared_task(name="insights.import_bookings")
def import_bookings_task(job_id: int) -> dict:
    return run_import_job(job_id, import_bookings)


def _snapshot_summary(run) -> dict:
    return {"snapshot": run.pk, "cells": run.cell_count, "seconds": round(run.seconds or 0, 3)}


@shared_task(name="insights.snapshot")
def snapshot_task(job_id: int) -> dict:
    return run_job(job_id, lambda report: _snapshot_summary(take_snapshot(report)))


@shared_task(name="insights.snapshot_nightly")
def snapshot_nightly_task() -> dict:
    """The beat entry: no job row, just a new generation."""
    return _snapshot_summary(take_snapshot())
