"""SPEC §2, the differential way: what partner A reads does not move when partner B's data does.

The isolation matrix proves that A's users cannot reach B's rows by id. It cannot see a leak *inside*
an answer A may read — another partner's name in a row of a shared account, a count or a filter computed
over everyone's assignments, an order that depends on another partner's deals (issue 12). This test can:

1. build a world where A and B share accounts both ways (``shared_world.build``);
2. read, as A's rep and as A's admin, every GET they can make — every API operation of the OpenAPI schema
   and every web page of the URL configuration, with every filter value, ordering, search and export
   (``probes.plan_for``: generated, so a new endpoint or filter is read without anyone writing a case);
3. change B's side of the world through the product's own services and API (``shared_world.CHANGES``:
   assign, end, register, approve, reject, extend, win, settle and approve a run, mark it paid, dispute,
   roadshows, secondments, users);
4. read everything again: every answer must be byte for byte the same.

Normalised before comparing, because each request makes them anew for the caller and they carry no data:
the CSRF token of each rendered form (``csrfmiddlewaretoken``, and ``csrfToken`` in the browsable API's
page, ``X-CSRFTOKEN`` in the API docs' page: a new mask per response) and the one-time
``idempotency_key`` the registration form generates per render. Nothing else. A spreadsheet (.xlsx) is
compared by its cells, sheet by sheet: the file's bytes also carry the time it was written (the zip
entries' dates, the document's created/modified properties).

Also checked on the first reading: another partner's id in any id filter answers exactly like an id that
does not exist (same status, same body once the id asked for is hidden), and every route the caller's role
may read answers 200 (a page may redirect: 302): a route that cannot be read proves nothing, so the test
fails, saying what to add.
And during B's changes no e-mail goes to A's users.
"""

import difflib
import io
import json
import re

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ecosystem.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE

from .probes import Probe, pages_reading_the_query_unprobed, plan_for
from .shared_world import CHANGES, build, change_the_other_partner

TOKENS = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")'), r"\1<csrf>\2"),
    (re.compile(r'("csrfToken": ")[^"]*(")'), r"\1<csrf>\2"),  # the browsable API's page
    (re.compile(r'(\["X-CSRFTOKEN"\] = ")[^"]*(")'), r"\1<csrf>\2"),  # the API docs' page
    (re.compile(r'(name="idempotency_key" value=")[^"]*(")'), r"\1<one-time key>\2"),
]


def normalised(body: str) -> str:
    for pattern, replacement in TOKENS:
        body = pattern.sub(replacement, body)
    return body


def masked(body: str, name: str, value: str) -> str:
    """``body`` with the id asked for hidden where it is echoed: links, the filter form's input, error texts."""
    body = re.sub(rf"([?&;]{re.escape(name)}=){re.escape(value)}(?![\w.])", r"\1<asked>", body)
    body = re.sub(rf'(<input[^>]*\bname="{re.escape(name)}"[^>]*\bvalue="){re.escape(value)}"', r'\1<asked>"', body)
    return re.sub(rf'(\\?"){re.escape(value)}(\\?")', r"\1<asked>\2", body)


def spreadsheet_cells(content: bytes) -> str:
    """Every cell of every sheet of an .xlsx file, one line per row, with the sheet's title."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"[{sheet.title}]")
        lines.extend(json.dumps(row, default=str, ensure_ascii=False) for row in sheet.iter_rows(values_only=True))
    return "\n".join(lines)


def read(client, probe: Probe) -> tuple[int, str, str]:
    response = client.get(probe.url)
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    content_type = response.get("Content-Type", "")
    if content_type == XLSX_CONTENT_TYPE and response.status_code == 200:
        return response.status_code, content_type, spreadsheet_cells(content)
    return response.status_code, content_type, normalised(content.decode(errors="replace"))


def _client(user, *, api: bool):
    if api:
        client = APIClient()
        client.force_authenticate(user=user)
    else:
        client = Client()
        client.force_login(user)
    return client


def _lines(body: str) -> list[str]:
    try:
        return json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
    except ValueError:
        return body.splitlines()


def _diff(before: str, after: str) -> str:
    lines = difflib.unified_diff(_lines(before), _lines(after), "before", "after", n=1, lineterm="")
    return "\n".join(list(lines)[2:14])


def _readings(clients, probes) -> dict[Probe, tuple]:
    return {probe: read(clients[probe.api], probe) for probe in probes}


def _group_problems(probes, readings, role) -> list[str]:
    """Another partner's id must answer exactly like an id that does not exist."""
    groups: dict[tuple, list[Probe]] = {}
    for probe in probes:
        if probe.group is not None:
            groups.setdefault(probe.group, []).append(probe)
    problems = []
    for members in groups.values():
        answers = {}
        for probe in members:
            status, content_type, body = readings[probe]
            answers[probe] = (status, content_type, masked(body, *probe.masked))
        reference = next(p for p in members if p.where.endswith("(missing)"))
        for probe, answer in answers.items():
            if answer != answers[reference]:
                problems.append(
                    f"{probe.where} as {role}: another partner's id answers unlike an id that does not exist "
                    f"({answer[0]} vs {answers[reference][0]}):\n{_diff(answers[reference][2], answer[2])}"
                )
    return problems


@pytest.mark.django_db
def test_pages_that_read_the_query_are_probed():
    """A partner page reading query parameters without a filterset must say which queries to try."""
    unprobed = pages_reading_the_query_unprobed()
    assert not unprobed, (
        f"partner pages read request.GET but the differential test does not know what to send them: {unprobed}. "
        "Give the view a filterset_class, or add its URL name to PAGE_QUERIES in tests/foundation/probes.py."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_what_a_partner_reads_does_not_move_when_another_partner_changes(role, world):
    shared = build(world)
    caller = world.rep_a if role == "partner_rep" else world.admin_a
    plan = plan_for(shared, caller)
    assert not plan.problems, "the differential test cannot read every route:\n" + "\n".join(plan.problems)
    probes = list(dict.fromkeys(plan.probes))
    assert len(probes) > 300, f"only {len(probes)} requests planned: is the URL walk or the schema empty?"

    # One API client and one logged-in browser session for both readings (a new login would move last_login).
    clients = {True: _client(caller, api=True), False: _client(caller, api=False)}
    before = _readings(clients, probes)
    unreadable = [
        f"{p.where}: {before[p][0]}"
        for p in probes
        if p.readable and p.base and before[p][0] not in ((200,) if p.api else (200, 302))
    ]
    assert not unreadable, (
        f"routes {role} may read answered otherwise than 200, so the test proves nothing about them (give the "
        f"world rows they show, or their required parameters in tests/foundation/probes.py):\n" + "\n".join(unreadable)
    )
    problems = _group_problems(probes, before, role)

    partner_addresses = {u.email for u in (world.rep_a, world.admin_a)}
    sent_before = len(mail.outbox)
    change_the_other_partner(shared)
    to_partner_a = [m.subject for m in mail.outbox[sent_before:] if partner_addresses & set(m.to)]
    assert not to_partner_a, f"partner A's users were e-mailed about partner B's changes: {to_partner_a}"

    after = _readings(clients, probes)
    for probe in probes:
        if before[probe] != after[probe]:
            (status, kind, body), (status_after, kind_after, body_after) = before[probe], after[probe]
            problems.append(
                f"{probe.where} as {role} moved when partner B's data changed "
                f"({status} {kind} → {status_after} {kind_after}):\n{_diff(body, body_after)}"
            )
    assert not problems, (
        f"{len(problems)} answers of partner A's {role} depend on another partner's data "
        f"(changes: {[label for label, _ in CHANGES]}):\n\n" + "\n\n".join(problems[:40])
    )
