"""A partner's accounts (``Account.objects.for_partner``) are exactly those it holds an open assignment on.

On PostgreSQL the scope is written ``id = ANY(ARRAY(subquery))`` (planned better than the
``EXISTS``); it must select the very rows the ``EXISTS`` does, alone and combined with filters.
"""

from datetime import date

import pytest
from django.db.models import Exists, OuterRef

from accounts.models import Account, Assignment
from tests.factories import AccountFactory, AssignmentFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _by_exists(partner_id):
    open_assignment = Assignment.objects.open().filter(account=OuterRef("pk"), partner_id=partner_id)
    return Account.objects.filter(Exists(open_assignment))


def test_for_partner_is_the_open_assignments_and_nothing_else():
    mine, other = PartnerFactory(), PartnerFactory()
    held = [AssignmentFactory(partner=mine).account for _ in range(3)]
    secondary = AssignmentFactory(partner=mine, role="secondary").account
    AssignmentFactory(partner=other, account=secondary)  # another partner's primary on the same account
    ended = AssignmentFactory(partner=mine, valid_to=date(2025, 6, 30)).account
    theirs = AssignmentFactory(partner=other).account
    AccountFactory()  # nobody's
    not_select = AssignmentFactory(partner=mine, account=AccountFactory(is_select=False)).account

    expected = {*(a.pk for a in held), secondary.pk, not_select.pk}
    assert set(Account.objects.for_partner(mine.pk).values_list("pk", flat=True)) == expected
    assert ended.pk not in expected and theirs.pk not in expected
    for partner_id in (mine.pk, other.pk, 999_999):
        ours, reference = Account.objects.for_partner(partner_id), _by_exists(partner_id)
        assert list(ours) == list(reference)
        assert ours.count() == reference.count()
        assert list(ours.filter(is_select=True)) == list(reference.filter(is_select=True))
        assert list(ours.order_by("-name")[:2]) == list(reference.order_by("-name")[:2])
