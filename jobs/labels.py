"""Jobs in words: what a job is and its progress note, in the reader's language.

A job stores its kind (``import_accounts``) and its progress note (``Checking rows``) as the code and
the English text the job wrote; pages and the API's ``*_label`` fields say them in the reader's
language when read (a note not listed here is shown as written).
"""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "import_accounts": _("Import of select accounts"),
    "import_assignments": _("Import of assignments"),
    "import_quotas": _("Import of quotas"),
    "import_bookings": _("Import of bookings"),
    "settlement": _("Settlement"),
    "assignment_proposal": _("Assignment proposal"),
    "insights_snapshot": _("Dashboard snapshot"),
    "expire_registrations": _("Expiry of registrations"),
}

#: The progress notes the jobs write (``report(done, total, note)``), for the catalogue.
PROGRESS_NOTES = (
    gettext_noop("Checking rows"),
    gettext_noop("Writing"),
    gettext_noop("Checked"),
    gettext_noop("Done"),
    gettext_noop("Scoring partners"),
    gettext_noop("Proposal ready"),
    gettext_noop("Aggregating won business"),
    gettext_noop("Writing cells"),
    gettext_noop("Won and open deals of the select accounts"),
    gettext_noop("Coverage of the select accounts"),
    gettext_noop("Commission cost, levers"),
)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def note_label(note: str) -> str:
    """A progress note in the active language (notes the jobs write are in the catalogue)."""
    return gettext(note) if note in PROGRESS_NOTES else note
