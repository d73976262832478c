"""The French translation: complete, compiled, and used by the pages.

The product is French by default (LANGUAGE_CODE "fr"); every source string is an English msgid
translated in ``locale/fr/LC_MESSAGES/django.po``, compiled to ``django.mo`` beside it. After adding
or changing a translatable string, run::

    .venv/bin/python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=staticfiles \
        --ignore=bench --ignore=tests --ignore=node_modules
    # translate the new entries in locale/fr/LC_MESSAGES/django.po (no empty msgstr, no "#, fuzzy")
    .venv/bin/python manage.py compilemessages --ignore=.venv
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from opportunities.models import Stage

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
MAKEMESSAGES_IGNORES = [".venv", "var", "staticfiles", "bench", "tests", "node_modules", "test-artifacts", ".git"]


def _unquote(line: str) -> str:
    """The text of one quoted .po string (C escapes, as in a Python string literal)."""
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), line
    return ast.literal_eval(body)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader (polib is not a dependency): one dict per entry, with its ``flags`` set,
    ``msgid``, optional ``msgid_plural`` and ``msgctxt``, and ``msgstr`` as a {index: text} dict
    (index 0 alone for an entry without plural). Obsolete (``#~``) entries are left out."""
    entries, current, key = [], None, None

    def finish():
        if current is not None and "msgid" in current:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            current, key = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = _unquote(line)
            if isinstance(key, tuple):
                current["msgstr"][key[1]] += text
            else:
                current[key] += text
        else:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith("msgstr["):
                key = ("msgstr", int(keyword[7:-1]))
                current["msgstr"][key[1]] = _unquote(rest)
            elif keyword == "msgstr":
                key = ("msgstr", 0)
                current["msgstr"][0] = _unquote(rest)
            else:
                key = keyword
                current[key] = _unquote(rest)
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries():
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages -l fr"
    return parse_po(PO_FILE)


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def _messages(entries):
    return [e for e in entries if e["msgid"]]


class TestCatalog:
    def test_the_po_has_hundreds_of_entries(self, po_entries):
        assert len(_messages(po_entries)) > 500

    def test_no_entry_is_untranslated(self, po_entries):
        empty = [e["msgid"] for e in _messages(po_entries) if not e["msgstr"] or not all(e["msgstr"].values())]
        assert empty == [], f"untranslated msgids: {empty[:20]}"

    def test_plural_entries_have_both_french_forms(self, po_entries):
        plurals = [e for e in _messages(po_entries) if "msgid_plural" in e]
        assert plurals
        for entry in plurals:
            assert sorted(entry["msgstr"]) == [0, 1], entry["msgid"]

    def test_no_entry_is_fuzzy(self, po_entries):
        fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
        assert fuzzy == [], f"fuzzy entries (check them, then remove the flag): {fuzzy[:20]}"

    def test_header_declares_french_plural_rule(self, po_entries):
        header = next(e for e in po_entries if e["msgid"] == "")
        assert "Language: fr" in header["msgstr"][0]
        assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"][0]

    def test_placeholders_are_kept(self, po_entries):
        placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")
        for entry in _messages(po_entries):
            if "msgid_plural" in entry:
                assert sorted(placeholder.findall(entry["msgstr"][1])) == sorted(
                    placeholder.findall(entry["msgid_plural"])
                ), entry["msgid_plural"]
            else:
                assert sorted(placeholder.findall(entry["msgstr"][0])) == sorted(placeholder.findall(entry["msgid"])), (
                    entry["msgid"]
                )

    def test_the_mo_is_compiled_from_the_current_po(self, po_entries):
        """A .po edited without compilemessages would leave the pages in English."""
        assert MO_FILE.exists(), "run: manage.py compilemessages --ignore=.venv"
        with MO_FILE.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog
        stale = []
        for entry in _messages(po_entries):
            msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
            if "msgid_plural" in entry:
                ok = all(catalog.get((msgid, i)) == text for i, text in entry["msgstr"].items())
            else:
                ok = catalog.get(msgid) == entry["msgstr"][0]
            if not ok:
                stale.append(entry["msgid"])
        assert stale == [], f"django.mo is older than django.po, run compilemessages: {stale[:10]}"


@pytest.mark.usefixtures("french")
class TestDjangoTranslatesToFrench:
    def test_navigation_labels(self):
        assert translation.gettext("Opportunities") == "Opportunités"
        assert translation.gettext("Accounts") == "Comptes"
        assert translation.gettext("My accounts") == "Mes comptes"
        assert translation.gettext("Partners") == "Partenaires"
        assert translation.gettext("Settlements") == "Décomptes"
        assert translation.gettext("Statements") == "Relevés"
        assert translation.gettext("Disputes") == "Contestations"
        assert translation.gettext("Log out") == "Se déconnecter"

    def test_model_choices_and_verbose_names(self):
        assert str(Stage.WON.label) == "Gagnée"
        assert str(Stage.LOST.label) == "Perdue"
        from accounts.models import Account

        assert str(Account._meta.get_field("sector").verbose_name) == "secteur"

    def test_form_error_message(self):
        from django.core.exceptions import ValidationError

        from ecosystem.validators import validate_siren

        with pytest.raises(ValidationError) as caught:
            validate_siren("123")
        assert caught.value.messages == ["Un SIREN comporte exactement 9 chiffres."]

    def test_placeholders_and_plurals(self):
        text = translation.gettext("Invitation sent to %(email)s.") % {"email": "a@example.com"}
        assert text == "Invitation envoyée à a@example.com."
        assert translation.ngettext("%(counter)s row", "%(counter)s rows", 1) % {"counter": 1} == "1 ligne"
        assert translation.ngettext("%(counter)s row", "%(counter)s rows", 3) % {"counter": 3} == "3 lignes"
        # French uses the singular for 0 as well (plural=(n > 1)).
        assert translation.ngettext("%(counter)s row", "%(counter)s rows", 0) % {"counter": 0} == "0 ligne"

    def test_a_msgid_used_with_and_without_plural_still_translates_alone(self):
        # "Extension refused" is both a choice label and the singular of an e-mail subject.
        assert translation.gettext("Extension refused") == "Prolongation refusée"

    def test_english_stays_english(self):
        with translation.override("en"):
            assert translation.gettext("Opportunities") == "Opportunities"


@pytest.mark.django_db
class TestPagesFollowTheLanguage:
    def test_partner_page_in_french_by_default_and_with_accept_language(self, client, rep_a):
        client.force_login(rep_a)
        for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}):
            page = client.get("/accounts/", **headers).content.decode()
            assert '<html lang="fr"' in page
            assert "Mes comptes" in page
            assert "Mes opportunités" in page
            assert "Se déconnecter" in page
            assert "My opportunities" not in page

    def test_partner_page_in_english_with_accept_language(self, client, rep_a):
        client.force_login(rep_a)
        page = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en"' in page
        assert "My opportunities" in page
        assert "Mes opportunités" not in page

    def test_language_switch_sticks_over_accept_language(self, client, rep_a):
        client.force_login(rep_a)
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/"}, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 302
        page = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "My opportunities" in page and "Log out" in page
        client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/"})
        page = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Mes opportunités" in page

    def test_form_errors_are_french(self, client, rep_a):
        client.force_login(rep_a)
        response = client.post("/opportunities/register/", {})
        assert response.status_code == 400  # the form again, with its errors
        page = response.content.decode()
        assert "Ce champ est obligatoire." in page
        assert "This field is required." not in page


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools (xgettext, msgmerge) are not installed")
def test_every_source_string_has_a_french_translation(tmp_path, po_entries):
    """makemessages on a copy of the source tree: no msgid may be missing from the committed .po."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(*MAKEMESSAGES_IGNORES, "__pycache__", "*.pyc", ".*cache", ".hypothesis", "*.sqlite3*")
    shutil.copytree(root, copy, ignore=skip)
    ignores = [f"--ignore={name}" for name in MAKEMESSAGES_IGNORES]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location", "--verbosity", "0", *ignores],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ecosystem.settings.base"},
    )
    fresh = parse_po(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    committed = {(e.get("msgctxt"), e["msgid"]) for e in _messages(po_entries)}
    new = sorted(e["msgid"] for e in _messages(fresh) if (e.get("msgctxt"), e["msgid"]) not in committed)
    untranslated = sorted(
        e["msgid"] for e in _messages(fresh) if not all(e["msgstr"].values()) or "fuzzy" in e["flags"]
    )
    assert new == [] and untranslated == [], (
        "strings without a French translation; run makemessages -l fr, translate them in "
        f"locale/fr/LC_MESSAGES/django.po and compilemessages. New: {new[:20]} Untranslated: {untranslated[:20]}"
    )
