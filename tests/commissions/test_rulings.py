"""SPEC §4.1, the rulings on edge cases, on both engines (the reference module and the SQL one).

- a matched rule that computes 0.00 writes a 0.00 line with its explanation, not an exception;
- bounds are inclusive (min/max amount, a band's ``from_amount``, the retroactive band, dates,
  the accelerator's threshold);
- an accelerated line names the quota and the attainment it used;
- corrections after approval are "re-settle and diff": lines pair by deal, rule *and partner*, a
  clawback is borne by the partner of the line it corrects even when the deal moved, the new
  partner gets the newly owed line, whatever chunk each partner falls in (failure 7 of issue 13),
  and adjustments never count toward the new period's tiers, caps or attainment.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from commissions import settlement
from commissions.models import LineKind, Quota, SettlementException, Statement
from opportunities.models import Stage

from ..factories import PartnerFactory, RuleFactory, UserFactory, won
from .helpers import approved, current_lines, english, run_for

pytestmark = pytest.mark.django_db

Q3 = date(2026, 7, 15)
Q4 = date(2026, 11, 2)


def settle(period="2026-Q3", *, chunk_deals=25_000):
    run = run_for(period, UserFactory(role="channel"))
    settlement.settle_now(run.pk, chunk_deals=chunk_deals)
    run.refresh_from_db()
    return run


def line_of(run, deal, **filters):
    return current_lines(run).get(opportunity=deal, **filters)


class TestZeroLines:
    def test_a_zero_rate_writes_a_zero_line_not_an_exception(self, engine, partner_a):
        RuleFactory(name="Zero", rate=D("0"))
        deal = won(partner_a, "1000.00", Q3)
        run = settle()
        line = line_of(run, deal)
        assert line.payout == D("0.00") and english(line) == "Zero: 1,000.00 € × 0 % = 0.00 €"
        assert run.line_count == 1 and run.exception_count == 0
        assert not SettlementException.objects.filter(run=run).exists()

    def test_a_zero_band_writes_a_zero_line(self, engine, partner_a):
        RuleFactory(name="Bands", calculation="tiered", rate=None, bands=[["0", "0"], ["50000", "0.05"]])
        deal = won(partner_a, "10000.00", Q3)
        run = settle()
        line = line_of(run, deal)
        assert line.payout == D("0.00") and "10,000.00 € × 0 % = 0.00 €" in english(line)
        assert run.exception_count == 0

    def test_below_the_first_retroactive_band_writes_a_zero_line_saying_so(self, engine, partner_a):
        RuleFactory(name="Retro", calculation="tiered", rate=None, tier_mode="retroactive", bands=[["20000", "0.05"]])
        deal = won(partner_a, "10000.00", Q3)
        run = settle()
        line = line_of(run, deal)
        assert line.payout == D("0.00")
        assert "period total 10,000.00 € is below the first band (20,000.00 €)" in english(line)
        assert run.exception_count == 0

    def test_a_period_cap_used_up_writes_a_zero_line(self, engine, partner_a):
        RuleFactory(name="Capped", rate=D("0.1"), cap_per_period=D("100"))
        first = won(partner_a, "1000.00", date(2026, 7, 1))
        second = won(partner_a, "1000.00", date(2026, 7, 2))
        run = settle()
        assert line_of(run, first).payout == D("100.00")
        line = line_of(run, second)
        assert line.payout == D("0.00") and line.capped == "period"
        assert "period cap 100.00 € reached: trimmed by 100.00 € to 0.00 €" in english(line)
        assert run.exception_count == 0 and run.total == D("100.00")

    def test_only_a_deal_no_rule_matches_is_an_exception(self, engine, partner_a):
        RuleFactory(name="Zero", rate=D("0"), product_lines=["ai"])
        paid_nothing = won(partner_a, "1000.00", Q3, product_line="ai")
        unmatched = won(partner_a, "1000.00", Q3, product_line="security")
        run = settle()
        assert line_of(run, paid_nothing).payout == D("0.00")
        assert list(SettlementException.objects.filter(run=run).values_list("opportunity_id", flat=True)) == [
            unmatched.pk
        ]


class TestInclusiveBounds:
    def test_min_and_max_amount_are_included(self, engine, partner_a):
        RuleFactory(name="Mid", rate=D("0.1"), min_amount=D("1000.00"), max_amount=D("5000.00"))
        below, at_min = won(partner_a, "999.99", Q3), won(partner_a, "1000.00", Q3)
        at_max, above = won(partner_a, "5000.00", Q3), won(partner_a, "5000.01", Q3)
        run = settle()
        assert {line.opportunity_id: line.payout for line in current_lines(run)} == {
            at_min.pk: D("100.00"),
            at_max.pk: D("500.00"),
        }
        assert set(SettlementException.objects.filter(run=run).values_list("opportunity_id", flat=True)) == {
            below.pk,
            above.pk,
        }

    def test_a_marginal_band_applies_from_its_from_amount_included(self, engine, partner_a):
        RuleFactory(name="M", calculation="tiered", rate=None, bands=[["0", "0.01"], ["1000", "0.02"]])
        first = won(partner_a, "1000.00", date(2026, 7, 1))  # 0 → 1 000: all in the first band
        second = won(partner_a, "100.00", date(2026, 7, 2))  # 1 000 → 1 100: from 1 000 included, at 2 %
        run = settle()
        assert line_of(run, first).payout == D("10.00")
        line = line_of(run, second)
        assert line.payout == D("2.00") and "100.00 € × 2 % = 2.00 €" in english(line)

    def test_the_retroactive_rate_is_that_of_the_highest_band_reached_included(self, engine, partner_a):
        RuleFactory(name="R", calculation="tiered", rate=None, tier_mode="retroactive",
                    bands=[["0", "0.01"], ["2000", "0.03"], ["2000.01", "0.09"]])  # fmt: skip
        won(partner_a, "1500.00", date(2026, 7, 1))
        won(partner_a, "500.00", date(2026, 7, 2))  # the total is exactly 2 000.00
        run = settle()
        assert sorted(current_lines(run).values_list("payout", flat=True)) == [D("15.00"), D("45.00")]
        assert all("reaches the 3 % band" in english(line) for line in current_lines(run))

    def test_dates_are_included(self, engine, partner_a):
        RuleFactory(name="Window", rate=D("0.1"), valid_from=date(2026, 8, 1), valid_to=date(2026, 8, 31))
        on_first, on_last = won(partner_a, "100.00", date(2026, 8, 1)), won(partner_a, "100.00", date(2026, 8, 31))
        won(partner_a, "100.00", date(2026, 7, 31))
        won(partner_a, "100.00", date(2026, 9, 1))
        first_day, last_day = won(partner_a, "1.00", date(2026, 7, 1)), won(partner_a, "1.00", date(2026, 9, 30))
        won(partner_a, "1.00", date(2026, 10, 1))  # the next quarter
        run = settle()
        assert set(current_lines(run).values_list("opportunity_id", flat=True)) == {on_first.pk, on_last.pk}
        excepted = set(SettlementException.objects.filter(run=run).values_list("opportunity_id", flat=True))
        assert {first_day.pk, last_day.pk} <= excepted and len(excepted) == 4

    def test_the_accelerator_threshold_is_included(self, engine, partner_a):
        RuleFactory(name="Acc", rate=D("0.05"), accelerator_threshold=D("1.0"), accelerator_multiplier=D("1.5"))
        Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("20000.00"))
        deal = won(partner_a, "12000.00", date(2026, 7, 1))
        won(partner_a, "8000.00", date(2026, 7, 2))  # won = 20 000.00 = 1.0 × quota
        run = settle()
        line = line_of(run, deal)
        assert line.payout == D("900.00") and line.accelerator == D("1.5")


class TestQuotaInExplanations:
    def test_an_accelerated_line_names_the_quota_and_the_attainment(self, engine, partner_a):
        RuleFactory(name="Acc", rate=D("0.05"), accelerator_threshold=D("1.0"), accelerator_multiplier=D("1.5"))
        Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("20000.00"))
        deal = won(partner_a, "12000.00", date(2026, 7, 1))
        won(partner_a, "13000.00", date(2026, 7, 2))
        run = settle()
        assert english(line_of(run, deal)) == (
            "Acc: 12,000.00 € × 5 % = 600.00 €; accelerator × 1.5 (quota 20,000.00 €, won 25,000.00 €: "
            "attainment 125.0 % ≥ threshold 100 %) = 900.00 €"
        )

    def test_the_attainment_is_rounded_half_up_to_a_tenth_of_a_percent(self, engine, partner_a):
        RuleFactory(name="Acc", calculation="flat", rate=None, flat_amount=D("10"),
                    accelerator_threshold=D("0.3"), accelerator_multiplier=D("2"))  # fmt: skip
        Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("30000.00"))
        won(partner_a, "10000.00", Q3)  # 33.333… %
        other = PartnerFactory()
        Quota.objects.create(partner=other, period="2026-Q3", amount=D("40000.00"))
        won(other, "12345.00", Q3)  # 30.8625 % → 30.9 %
        texts = sorted((line.partner_id, english(line)) for line in current_lines(settle()))
        assert "(quota 30,000.00 €, won 10,000.00 €: attainment 33.3 % ≥ threshold 30 %) = 20.00 €" in texts[0][1]
        assert "(quota 40,000.00 €, won 12,345.00 €: attainment 30.9 % ≥ threshold 30 %) = 20.00 €" in texts[1][1]

    def test_a_tiered_accelerated_line_names_them_too(self, engine, partner_a):
        RuleFactory(name="T", calculation="tiered", rate=None, bands=[["0", "0.02"]],
                    accelerator_threshold=D("0.5"), accelerator_multiplier=D("1.25"))  # fmt: skip
        Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("10000.00"))
        deal = won(partner_a, "5000.00", Q3)
        line = line_of(settle(), deal)
        assert english(line).endswith(
            "accelerator × 1.25 (quota 10,000.00 €, won 5,000.00 €: attainment 50.0 % ≥ threshold 50 %) = 125.00 €"
        )


@pytest.mark.parametrize("chunk_deals", [25_000, 1], ids=["default chunks", "one partner per chunk"])
class TestReSettleAndDiff:
    def test_a_deal_moved_to_another_partner_is_clawed_back_from_the_first_and_owed_to_the_second(
        self, engine, chunk_deals
    ):
        """Failure 7 of issue 13: paid to A in an approved quarter, moved to B while still won."""
        RuleFactory(name="Base", rate=D("0.05"))
        a, b = PartnerFactory(name="A"), PartnerFactory(name="B")
        deal = won(a, "100000.00", Q3)
        q3 = approved("2026-Q3")
        original = line_of(q3, deal)
        deal.partner = b  # a bookings import gives the deal to B; it stays won
        deal.save()
        q4 = settle("2026-Q4", chunk_deals=chunk_deals)
        adjustments = {line.partner_id: line for line in current_lines(q4).filter(kind=LineKind.ADJUSTMENT)}
        assert set(adjustments) == {a.pk, b.pk}
        assert adjustments[a.pk].payout == D("-5000.00") and adjustments[a.pk].corrects == original
        assert english(adjustments[a.pk]).startswith("Clawback for 2026-Q3: no longer owed to this partner")
        assert adjustments[b.pk].payout == D("5000.00") and adjustments[b.pk].corrects is None
        assert "newly owed" in english(adjustments[b.pk])
        assert dict(Statement.objects.current().filter(run=q4).values_list("partner_id", "total")) == {
            a.pk: D("-5000.00"),
            b.pk: D("5000.00"),
        }
        # Once Q4 is approved, nothing is owed or clawed back twice.
        settlement.settlement_approve(run=q4, user=UserFactory(role="manager"))
        q1 = settle("2027-Q1", chunk_deals=chunk_deals)
        assert not current_lines(q1).exists()

    def test_a_clawback_is_borne_by_the_partner_paid_even_if_the_deal_moved_and_was_lost(self, engine, chunk_deals):
        RuleFactory(name="Base", rate=D("0.1"))
        a, b = PartnerFactory(name="A"), PartnerFactory(name="B")
        deal = won(a, "1000.00", Q3)
        won(b, "500.00", Q3)
        approved("2026-Q3")
        deal.partner, deal.stage = b, Stage.LOST
        deal.save()
        q4 = settle("2026-Q4", chunk_deals=chunk_deals)
        assert list(current_lines(q4).values_list("partner_id", "opportunity_id", "payout")) == [
            (a.pk, deal.pk, D("-100.00"))
        ]

    def test_a_partner_owed_only_clawbacks_is_settled(self, engine, chunk_deals):
        RuleFactory(name="Base", rate=D("0.1"))
        lost_only = PartnerFactory(name="Lost only")
        deal = won(lost_only, "1000.00", Q3)
        for partner in PartnerFactory.create_batch(3):
            won(partner, "100.00", Q3)
            won(partner, "100.00", Q4)
        approved("2026-Q3")
        deal.stage = Stage.LOST
        deal.save()
        q4 = settle("2026-Q4", chunk_deals=chunk_deals)
        statement = Statement.objects.current().get(run=q4, partner=lost_only)
        assert statement.total == D("-100.00") and statement.line_count == 1

    def test_a_second_correction_points_at_the_line_it_corrects(self, engine, chunk_deals):
        RuleFactory(name="Base", rate=D("0.1"))
        a, b = PartnerFactory(name="A"), PartnerFactory(name="B")
        deal = won(a, "1000.00", Q3)
        approved("2026-Q3")
        deal.partner = b
        deal.save()
        q4 = settle("2026-Q4", chunk_deals=chunk_deals)
        settlement.settlement_approve(run=q4, user=UserFactory(role="manager"))
        owed_to_b = line_of(q4, deal, partner=b)
        deal.amount = D("1500.00")
        deal.save()
        q1 = settle("2027-Q1", chunk_deals=chunk_deals)
        line = line_of(q1, deal)
        assert (line.partner_id, line.payout, line.corrects) == (b.pk, D("50.00"), owed_to_b)
        assert "(amount or rule changed)" in english(line)


class TestAdjustmentsStayInTheirPeriod:
    """A late win of an approved quarter is paid on that quarter's own basis: it never counts toward the
    new period's tiers, caps or attainment (SPEC §4.1)."""

    def late_q3_win(self, partner, amount="50000.00"):
        approved("2026-Q3")
        return won(partner, amount, date(2026, 9, 30))

    def test_not_toward_the_new_period_tiers(self, engine, partner_a):
        RuleFactory(name="Retro", calculation="tiered", rate=None, tier_mode="retroactive",
                    bands=[["0", "0.01"], ["40000", "0.05"]])  # fmt: skip
        won(partner_a, "1000.00", Q3)
        late = self.late_q3_win(partner_a)
        q4_deal = won(partner_a, "10000.00", Q4)
        q4 = settle("2026-Q4")
        assert line_of(q4, q4_deal, kind=LineKind.COMMISSION).payout == D("100.00")  # 1 %: Q4 totals 10 000
        # In Q3 the late win brings the total to 51 000: both Q3 deals at 5 % now.
        adjustments = dict(current_lines(q4).filter(kind=LineKind.ADJUSTMENT).values_list("opportunity_id", "payout"))
        assert adjustments[late.pk] == D("2500.00") and sum(adjustments.values()) == D("2500.00") + D("40.00")

    def test_not_toward_the_new_period_cap(self, engine, partner_a):
        RuleFactory(name="Capped", rate=D("0.1"), cap_per_period=D("3000"))
        won(partner_a, "1000.00", Q3)
        late = self.late_q3_win(partner_a, "20000.00")
        q4_deal = won(partner_a, "20000.00", Q4)
        q4 = settle("2026-Q4")
        assert line_of(q4, q4_deal, kind=LineKind.COMMISSION).payout == D("2000.00")  # not trimmed
        assert line_of(q4, late, kind=LineKind.ADJUSTMENT).payout == D("2000.00")  # within Q3's own cap

    def test_not_toward_the_new_period_attainment(self, engine, partner_a):
        RuleFactory(name="Acc", rate=D("0.05"), accelerator_threshold=D("1.0"), accelerator_multiplier=D("2"))
        Quota.objects.create(partner=partner_a, period="2026-Q4", amount=D("20000.00"))
        won(partner_a, "1000.00", Q3)
        self.late_q3_win(partner_a)
        q4_deal = won(partner_a, "10000.00", Q4)
        line = line_of(settle("2026-Q4"), q4_deal, kind=LineKind.COMMISSION)
        assert line.payout == D("500.00") and line.accelerator is None  # 10 000 of 20 000: not reached


def test_only_the_engines_own_lines_are_diffed(engine, partner_a, manager_user):
    """A line of another kind in an approved run (a person's decision, as SPEC §4.3's manual adjustments and
    dispute outcomes will be) is not the engine's to re-settle: the next run never claws it back."""
    from django.utils import timezone

    from commissions.models import PayoutLine, SettlementRun

    RuleFactory(name="Base", rate=D("0.1"))
    deal = won(partner_a, "1000.00", Q3)
    q3 = approved("2026-Q3")
    original = line_of(q3, deal)
    q4 = settle("2026-Q4")
    PayoutLine.objects.create(
        run=q4, attempt=q4.committed_attempt, partner=partner_a, opportunity=deal, rule=original.rule,
        kind="manual", deal_period="2026-Q3", base_amount=D("0"), payout=D("30.00"), explanation="Goodwill",
    )  # fmt: skip
    SettlementRun.objects.filter(pk=q4.pk).update(status="approved", approved_by=manager_user,
                                                  approved_at=timezone.now())  # fmt: skip
    assert not current_lines(settle("2027-Q1")).exists()
