"""One money, number, percent and date format everywhere (issue 14 item 4): templates and the Python that
writes pages, e-mails and messages never format a figure or a date themselves, they go through the shared
helpers (the ``numbers`` and ``periods`` template libraries, ``DATE_FORMAT``, ``formats.date_format``), so
one page never mixes ``5 000.00 €`` and ``4,580.00`` and no figure breaks across lines.

A lint over the sources: a new template or view that formats by hand fails here, naming the file and line.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "audit", "commissions", "demo", "ecosystem", "insights", "jobs", "opportunities", "partners",
        "payments", "users"]  # fmt: skip

#: In templates (pages, PDFs, e-mails): what formats a figure or a date by hand, and what to use instead.
TEMPLATE_PATTERNS = {
    r"\|floatformat": "|money, |amount or |number (numbers library)",
    r"\|stringformat": "|money, |amount or |number (numbers library)",
    r"\|intcomma": "|number (numbers library)",
    r"\}\}\s?(€|k€|M€)": "|money or {% compact_money %}: the euro sign joined by a non-breaking space",
    r"\}\}\s%": "|pct or format_percent: the percent sign joined by a non-breaking space",
    r"\|date:\"[YmdHis\-: ]+\"": '|date:"DATE_FORMAT" (or SHORT_DATETIME_FORMAT): the reader\'s date',
}
#: In the Python that writes for people (views, e-mails, messages): dates and euros by hand.
PYTHON_PATTERNS = {
    r"\.isoformat\(\)": "formats.date_format(day, 'DATE_FORMAT') for people (ISO stays in data and the API)",
    r":%Y-%m-%d": "formats.date_format(day, 'DATE_FORMAT')",
    r"\{[^{}]*:,?\.\d+f\}\s?€": "format_money (ecosystem.templatetags.numbers)",
    r"floatformat\(": "format_money / format_number (ecosystem.templatetags.numbers)",
}
#: The Python modules that write for people: views, e-mail builders.
PYTHON_FILES = ("views.py", "_views.py", "notifications.py", "mail.py")

#: Hand formats that stay, each with the reason.
ALLOWED = {
    # An input's value, as Django's own widget templates write it: not a figure shown to people.
    ("ecosystem/templates/ecosystem/widgets/picker.html", r"\|stringformat"),
}


def templates():
    for app in APPS:
        for path in sorted((ROOT / app).glob("templates/**/*")):
            if path.suffix in {".html", ".txt"}:
                yield path


def people_python():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.name.endswith(PYTHON_FILES) and "migrations" not in path.parts:
                yield path


def offences(paths, patterns, root=ROOT) -> list[str]:
    found = []
    for path in paths:
        relative = str(path.relative_to(root))
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for pattern, instead in patterns.items():
                if (relative, pattern) not in ALLOWED and re.search(pattern, line):
                    found.append(f"{relative}:{number}: {re.search(pattern, line)[0]!r} → use {instead}")
    return found


def test_templates_format_figures_and_dates_only_through_the_shared_helpers():
    assert list(templates()), "no template found: the lint looks in the wrong place"
    assert offences(templates(), TEMPLATE_PATTERNS) == []


def test_views_and_emails_format_dates_and_euros_only_through_the_shared_helpers():
    assert list(people_python()), "no view found: the lint looks in the wrong place"
    assert offences(people_python(), PYTHON_PATTERNS) == []


@pytest.mark.parametrize(
    "line",
    [
        '<td class="num">{{ total|floatformat:"2g" }}</td>',
        "<td>{{ amount }} €</td>",
        "<td>{{ job.percent }} %</td>",
        '<td>{{ day|date:"Y-m-d" }}</td>',
        "{{ accounts|intcomma }}",
    ],
)
def test_the_lint_catches_each_hand_format(tmp_path, line):
    page = tmp_path / "page.html"
    page.write_text(f"<p>fine: {{{{ total|money }}}}</p>\n{line}\n")
    [offence] = offences([page], TEMPLATE_PATTERNS, root=tmp_path)
    assert offence.startswith("page.html:2: ")


def test_the_lint_catches_hand_dates_and_euros_in_python(tmp_path):
    view = tmp_path / "views.py"
    view.write_text('ok = 1\nlabel = f"{day:%Y-%m-%d}"\ntotal = f"{amount:,.2f} €"\nwhen = day.isoformat()\n')
    assert [o.split(":")[1] for o in offences([view], PYTHON_PATTERNS, root=tmp_path)] == ["2", "3", "4"]
