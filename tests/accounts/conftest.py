"""The account tests read messages in English (the msgids): the pages and the API answer in
English here whatever the French catalogue holds (tests/test_translations.py covers French)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
