"""Shared by the bad-input tables: messages read in English, and a census of every project table
to prove that a refused input wrote nothing."""

from collections.abc import Iterable

import pytest
from django.apps import apps
from django.utils import translation

PROJECT_APPS = (
    "users", "partners", "accounts", "opportunities", "jobs", "insights", "commissions", "payments", "audit",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English (the msgids); tests/test_translations.py covers French."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def row_counts(exclude: Iterable[str] = ()) -> dict[str, int]:
    """The number of rows of every table of the project's apps (history tables included)."""
    skipped = set(exclude)
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.label not in skipped
    }


@pytest.fixture
def census():
    """``with census(exclude=[...]): ...`` fails if any project table's row count changed inside."""

    class Census:
        def __init__(self, exclude: Iterable[str] = ()):
            self.exclude = tuple(exclude)

        def __enter__(self):
            self.before = row_counts(self.exclude)
            return self

        def __exit__(self, kind, value, traceback):
            if kind is not None:
                return False
            after = row_counts(self.exclude)
            changed = {name: (self.before[name], after[name]) for name in after if after[name] != self.before[name]}
            assert not changed, f"rows were written (table: before, after): {changed}"
            return False

    return Census
