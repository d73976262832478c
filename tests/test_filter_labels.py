"""Every filter label speaks the reader's language (issue 14 item 5): each FilterSet's fields, on the pages
and in the API's browsable forms, have a translatable label — none left to django-filter, which builds
English from the field path ("Line run period", "Account region", "Closed on is greater than or equal to")."""

import importlib
import inspect
from pathlib import Path

import django_filters
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
#: Labels that are the same word in both languages.
SAME_IN_BOTH = {"SIREN", "Type", "Expertise"}


def filtersets():
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {"tests", "bench", ".venv", "node_modules"} or "migrations" in parts:
            continue
        if "FilterSet" not in path.read_text():
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_filters.FilterSet) and cls.__module__ == module.__name__ and cls._meta.model:
                found.append(cls)
    return found


def labels(filterset_class, language) -> dict[str, str]:
    with translation.override(language):
        filterset = filterset_class(queryset=filterset_class._meta.model.objects.none())
        return {name: str(field.label) for name, field in filterset.form.fields.items()}


@pytest.mark.django_db
def test_every_filter_label_is_translated():
    classes = filtersets()
    assert len(classes) >= 20, "the FilterSets were not found"
    untranslated = []
    for cls in classes:
        english = labels(cls, "en")  # English first: a label worked out once must not stay English
        french = labels(cls, "fr")
        for name, label in english.items():
            if french[name] == label and label not in SAME_IN_BOTH:
                untranslated.append(f"{cls.__module__}.{cls.__name__}.{name}: {label!r}")
    assert untranslated == []
