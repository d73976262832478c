"""The demo data as plain rows: one function per concern, no database access.

Every function draws from the ``random.Random`` it is given, in a fixed order, so a seed
gives the same data every time. Ids are assigned here (from the first free id of each
table), which lets the rows reference each other before anything is written.
"""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from random import Random
from zoneinfo import ZoneInfo

from ecosystem.periods import Period, quarter_of
from ecosystem.validators import french_iban, french_vat_number, siren_with_check_digit

from . import vocab

PARIS = ZoneInfo("Europe/Paris")
PRODUCT_LINES = list(vocab.DEAL_SIZE)
METROPOLITAN = [region for region in vocab.REGIONS if region != "outre_mer"]
DEMO_PARTNER_NAME = "Lumen Intégration"


# --- Shared helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Two years of business ending today: the eight quarters before today's, and today's."""

    today: date
    quarters: tuple[Period, ...]
    review_days: int = 30
    protection_days: int = 90

    @classmethod
    def ending(cls, today: date, *, quarters_back: int = 8, review_days: int = 30, protection_days: int = 90):
        periods = [quarter_of(today)]
        for _ in range(quarters_back):
            periods.insert(0, periods[0].previous())
        return cls(today, tuple(periods), review_days, protection_days)

    @property
    def start(self) -> date:
        return self.quarters[0].start

    @property
    def span(self) -> int:
        return (self.today - self.start).days

    @property
    def closed_quarters(self) -> list[Period]:
        return [q for q in self.quarters if q.end < self.today]


class Picker:
    """Weighted choice in O(log n) from precomputed cumulative weights."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] if self.cum else 0.0

    def __bool__(self) -> bool:
        return bool(self.items) and self.total > 0

    def pick(self, rng: Random):
        return self.items[min(bisect(self.cum, rng.random() * self.total), len(self.items) - 1)]


def weighted(rng: Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


@lru_cache(maxsize=4096)
def _paris_offset(day: date) -> timedelta:
    return PARIS.utcoffset(datetime(day.year, day.month, day.day, 12))  # office hours never straddle a DST switch


def at(day: date, rng: Random, first_hour: int = 8, last_hour: int = 18) -> datetime:
    """A plausible office-hours moment of ``day``, Paris time, as an aware UTC datetime."""
    local = datetime(day.year, day.month, day.day, rng.randint(first_hour, last_hour), rng.randrange(60))
    return (local - _paris_offset(day)).replace(tzinfo=UTC)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c in ".-")


def make_sirens(rng: Random, count: int) -> list[str]:
    """``count`` distinct valid SIRENs (the check digit completes distinct 8-digit prefixes)."""
    return [siren_with_check_digit(str(prefix)) for prefix in rng.sample(range(30_000_000, 100_000_000), count)]


def brand(rng: Random, rare: bool = False) -> str:
    name = rng.choice(vocab.BRAND_HEADS) + rng.choice(vocab.BRAND_TAILS)
    return f"{name} {rng.choice(vocab.BRAND_QUALIFIERS)}" if rare else name


def surname(rng: Random, rare: bool = False) -> str:
    """A family name, sometimes a double one, as many company names carry their founders'."""
    first = rng.choice(vocab.SURNAMES)
    if rare or rng.random() < 0.35:
        second = rng.choice(vocab.SURNAMES)
        return f"{first}-{second}" if second != first else first
    return first


def unique_name(rng: Random, seen: set, make, fallback_suffix: str) -> str:
    """``make(rare)`` until a name not seen yet comes out; later attempts ask for rarer names."""
    for attempt in range(24):
        name = make(attempt >= 2)
        if name not in seen:
            break
    else:
        name = f"{make(True)} ({fallback_suffix})"
        counter = 2
        while name in seen:
            name = f"{name.rsplit(' #', 1)[0]} #{counter}"
            counter += 1
    seen.add(name)
    return name


# --- Partners -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class PartnerRow:
    id: int
    name: str
    siren: str
    kind: str
    tier: str
    regions: list
    specialisations: list
    status: str
    joined_on: date
    capacity: int
    home: str = ""


def make_partners(rng: Random, window: Window, count: int, first_id: int, sirens: list[str]) -> list[PartnerRow]:
    """``count`` partners of every kind and tier; the first is the demo partners' users' own."""
    rows = [
        PartnerRow(
            id=first_id, name=DEMO_PARTNER_NAME, siren=sirens[0], kind="integrator", tier="platinum",
            regions=["ile_de_france", "auvergne_rhone_alpes", "hauts_de_france", "normandie", "centre_val_de_loire"],
            specialisations=["hybrid_cloud", "ai", "automation", "data"], status="active",
            joined_on=date(2011, 3, 1), capacity=180, home="ile_de_france",
        )
    ]  # fmt: skip
    seen = {DEMO_PARTNER_NAME}
    kinds, tiers = list(vocab.PARTNER_KIND_WEIGHTS), list(vocab.PARTNER_TIER_WEIGHTS)
    for index in range(1, count):
        # The first few cover every kind and tier even at a tiny scale.
        kind = kinds[index - 1] if index <= len(kinds) else weighted(rng, vocab.PARTNER_KIND_WEIGHTS)
        if index <= len(tiers):
            tier = tiers[index - 1]
        elif kind == "distributor":
            tier = weighted(rng, {"silver": 0.1, "gold": 0.5, "platinum": 0.4})
        else:
            tier = weighted(rng, vocab.PARTNER_TIER_WEIGHTS)
        home = weighted(rng, vocab.PARTNER_REGION_WEIGHTS)
        if kind == "distributor" or (tier == "platinum" and rng.random() < 0.5):
            regions = list(METROPOLITAN) + (["outre_mer"] if rng.random() < 0.4 else [])
        else:
            reach = {"silver": (0, 1), "gold": (1, 3), "platinum": (2, 4)}[tier]
            neighbours = vocab.NEIGHBOURS[home]
            regions = [home] + rng.sample(neighbours, min(len(neighbours), rng.randint(*reach)))
        affinity = vocab.KIND_SPECIALISATIONS[kind]
        lines = {"silver": (1, 2), "gold": (1, 3), "platinum": (2, 4)}[tier]
        specialisations = weighted_sample(rng, affinity, rng.randint(*lines))
        roll = rng.random()
        if index > len(kinds) and roll < 0.06:
            status = "prospect"
            joined_on = window.today - timedelta(days=rng.randint(10, 240))
        else:
            status = "suspended" if index > len(kinds) and roll < 0.10 else "active"
            year = min(window.start.year, 2006 + int(rng.triangular(0, 20, 12)))
            joined_on = date(year, rng.randint(1, 12), rng.randint(1, 28))
            if joined_on > window.start:
                joined_on = window.start - timedelta(days=rng.randint(30, 400))
        name = unique_name(
            rng,
            seen,
            lambda rare, kind=kind: rng.choice(vocab.PARTNER_NAME_FORMS[kind]).format(brand=brand(rng, rare)),
            rng.choice(vocab.REGIONS[home][1]),
        )
        rows.append(
            PartnerRow(
                id=first_id + index, name=name, siren=sirens[index], kind=kind, tier=tier,
                regions=sorted(regions), specialisations=sorted(specialisations), status=status,
                joined_on=joined_on, capacity=rng.randint(*vocab.TIER_CAPACITY[tier]), home=home,
            )
        )  # fmt: skip
    return rows


def weighted_sample(rng: Random, weights: dict, k: int) -> list:
    """``k`` distinct keys of ``weights``, drawn in proportion to their weights."""
    pool, chosen = dict(weights), []
    while pool and len(chosen) < k:
        key = weighted(rng, pool)
        chosen.append(key)
        del pool[key]
    return chosen


# --- Accounts -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class AccountRow:
    id: int
    name: str
    siren: str
    sector: str
    region: str
    city: str
    employees: int
    is_select: bool
    vendor_awareness: str
    created_at: datetime


def make_accounts(
    rng: Random, window: Window, n_select: int, n_other: int, first_id: int, sirens: list[str]
) -> list[AccountRow]:
    """Select accounts first (big, in luxury, industry, public sector, barely aware of the vendor), then the rest."""
    region_picker = Picker(vocab.REGIONS, [weight for weight, _ in vocab.REGIONS.values()])
    city_pickers = {
        region: Picker(cities, [1 / (i + 1) ** 0.9 for i in range(len(cities))])
        for region, (_, cities) in vocab.REGIONS.items()
    }
    select_sectors = Picker(vocab.SELECT_SECTOR_WEIGHTS, vocab.SELECT_SECTOR_WEIGHTS.values())
    other_sectors = Picker(vocab.OTHER_SECTOR_WEIGHTS, vocab.OTHER_SECTOR_WEIGHTS.values())
    select_awareness = Picker(vocab.SELECT_AWARENESS, vocab.SELECT_AWARENESS.values())
    other_awareness = Picker(vocab.OTHER_AWARENESS, vocab.OTHER_AWARENESS.values())
    list_loaded = at(window.start - timedelta(days=15), rng, 9, 9)
    seen: set = set()
    rows = []
    for index in range(n_select + n_other):
        is_select = index < n_select
        region = region_picker.pick(rng)
        city = city_pickers[region].pick(rng)
        sector = (select_sectors if is_select else other_sectors).pick(rng)
        if is_select:
            employees = int(min(150_000, max(250, rng.lognormvariate(math.log(1400), 1.0))))
            created_at = list_loaded
        else:
            employees = int(min(90_000, max(10, rng.lognormvariate(math.log(220), 1.3))))
            created_at = at(
                date(2019, 1, 2) + timedelta(days=rng.randrange((window.today - date(2019, 1, 3)).days)), rng
            )
        forms = vocab.ACCOUNT_NAME_FORMS[sector]
        name = unique_name(
            rng,
            seen,
            lambda rare, forms=forms, city=city: rng.choice(forms).format(
                surname=surname(rng, rare),
                city=city,
                brand=brand(rng, rare),
                person=f"{rng.choice(vocab.FIRST_NAMES)} {surname(rng, rare)}",
            ),
            city,
        )
        rows.append(
            AccountRow(
                id=first_id + index, name=name, siren=sirens[index], sector=sector, region=region, city=city,
                employees=employees, is_select=is_select,
                vendor_awareness=(select_awareness if is_select else other_awareness).pick(rng), created_at=created_at,
            )
        )  # fmt: skip
    return rows


# --- Assignments --------------------------------------------------------------------------------------


@dataclass(slots=True)
class AssignmentRow:
    id: int
    account_id: int
    partner_id: int
    role: str
    valid_from: date
    valid_to: date | None
    reason: str
    created_at: datetime


def partner_pools(partners: list[PartnerRow], *, demo_boost: float = 3.0) -> tuple[dict[str, Picker], Picker]:
    """Per region, the active partners serving it, weighted by tier; and all active partners."""
    active = [p for p in partners if p.status == "active"]

    def weight(p: PartnerRow) -> float:
        return vocab.TIER_BUSINESS_WEIGHT[p.tier] * (demo_boost if p.name == DEMO_PARTNER_NAME else 1.0)

    by_region = {
        region: Picker([p for p in active if region in p.regions], [weight(p) for p in active if region in p.regions])
        for region in vocab.REGIONS
    }
    return by_region, Picker(active, [weight(p) for p in active])


def make_assignments(
    rng: Random, window: Window, partners: list[PartnerRow], accounts: list[AccountRow], first_id: int
) -> list[AssignmentRow]:
    """About 70 % of select accounts get an open primary; some a secondary; some carry ended history."""
    by_region, everyone = partner_pools(partners)
    load: dict[int, int] = defaultdict(int)
    launch = window.start
    span = window.span

    def find_partner(region: str, on: date, *, exclude=(), respect_capacity=True) -> PartnerRow | None:
        for pool in (by_region[region], everyone):
            if not pool:
                continue
            for _ in range(12):
                p = pool.pick(rng)
                if p.id in exclude or p.joined_on > on:
                    continue
                if respect_capacity and load[p.id] >= p.capacity:
                    continue
                return p
        return None

    rows: list[AssignmentRow] = []

    def add(account, partner, role, valid_from, valid_to, reason):
        rows.append(AssignmentRow(0, account.id, partner.id, role, valid_from, valid_to, reason, at(valid_from, rng)))

    select = [a for a in accounts if a.is_select]
    rng.shuffle(select)
    for account in select:
        if rng.random() < 0.70:
            valid_from = launch if rng.random() < 0.55 else launch + timedelta(days=rng.randrange(max(1, span - 7)))
            primary = find_partner(account.region, valid_from)
            if primary is None:
                continue
            load[primary.id] += 1
            if (valid_from - launch).days > 45 and rng.random() < 0.35:
                previous = find_partner(account.region, launch, exclude={primary.id}, respect_capacity=False)
                if previous:
                    reason = rng.choice(vocab.REASSIGNMENT_REASONS)
                    add(account, previous, "primary", launch, valid_from - timedelta(days=1), reason)
            reason = vocab.ASSIGNMENT_REASONS[0] if valid_from == launch else rng.choice(vocab.ASSIGNMENT_REASONS)
            add(account, primary, "primary", valid_from, None, reason)
            if rng.random() < 0.15:
                start = valid_from + timedelta(days=rng.randrange(max(1, (window.today - valid_from).days)))
                secondary = find_partner(account.region, start, exclude={primary.id}, respect_capacity=False)
                if secondary:
                    ended = rng.random() < 0.2 and (window.today - start).days > 60
                    end = start + timedelta(days=rng.randint(30, (window.today - start).days - 1)) if ended else None
                    add(account, secondary, "secondary", start, end, rng.choice(vocab.SECONDARY_REASONS))
        elif rng.random() < 0.08:
            valid_from = launch + timedelta(days=rng.randrange(max(1, span // 2)))
            previous = find_partner(account.region, valid_from, respect_capacity=False)
            if previous:
                end = valid_from + timedelta(days=rng.randint(60, max(61, (window.today - valid_from).days - 1)))
                add(account, previous, "primary", valid_from, min(end, window.today - timedelta(days=1)),
                    vocab.REASSIGNMENT_REASONS[2])  # fmt: skip
    rows.sort(key=lambda r: (r.valid_from, r.account_id, r.role))
    for offset, row in enumerate(rows):
        row.id = first_id + offset
    return rows


# --- Levers: roadshows and secondments ----------------------------------------------------------------


@dataclass(slots=True)
class RoadshowRow:
    title: str
    city: str
    region: str
    date: date
    partner_ids: list
    id: int | None = None


FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def working_day(day: date) -> date:
    """The first day from ``day`` that is a weekday, not a fixed French holiday, nor in the August or year-end break."""
    while (
        day.weekday() >= 5
        or (day.month, day.day) in FIXED_HOLIDAYS
        or (day.month == 8 and day.day <= 25)
        or (day.month == 12 and day.day >= 20)
        or (day.month == 1 and day.day <= 4)
    ):
        day += timedelta(days=1)
    return day


def make_roadshows(rng: Random, window: Window, partners: list[PartnerRow], count: int) -> list[RoadshowRow]:
    """About thirty stops, Paris most often, spread over the two years (the last ones still to come)."""
    by_region, everyone = partner_pools(partners, demo_boost=1.0)
    last = window.today + timedelta(days=45)
    step = (last - window.start).days / count
    rows = []
    for index in range(count):
        city, region = vocab.ROADSHOW_CITIES[index % len(vocab.ROADSHOW_CITIES)]
        day = working_day(window.start + timedelta(days=int(step * index + rng.uniform(10, max(11, step - 5)))))
        theme = vocab.ROADSHOW_THEMES[index % len(vocab.ROADSHOW_THEMES)]
        pool = [p for p in (by_region[region].items or everyone.items) if p.joined_on <= day]
        attending = rng.sample(pool, min(len(pool), 25, max(2, round(len(pool) * rng.uniform(0.15, 0.3)))))
        if index % 3 == 0 and region in partners[0].regions and partners[0] not in attending:
            attending.append(partners[0])  # the demo partner goes to some of its regions' stops
        rows.append(RoadshowRow(f"{theme} — {city} {day.year}", city, region, day, sorted(p.id for p in attending)))
    return rows


@dataclass(slots=True)
class SecondmentRow:
    expert_name: str
    expert_email: str
    expertise: str
    partner_id: int
    starts_on: date
    ends_on: date


def make_secondments(rng: Random, window: Window, partners: list[PartnerRow], count: int) -> list[SecondmentRow]:
    """Vendor sales leaders and technical specialists placed in gold and platinum partners for a few months."""
    eligible = [p for p in partners if p.status == "active" and p.tier in ("gold", "platinum")] or partners[:1]
    rows, names = [], set()
    for index in range(count):
        partner = partners[0] if index == 0 else rng.choice(eligible)
        while True:
            name = f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.SURNAMES)}"
            if name not in names:
                names.add(name)
                break
        if index == 0:  # the demo partner hosts an expert right now
            starts_on = window.today - timedelta(days=rng.randint(30, 60))
        else:
            starts_on = window.start + timedelta(days=rng.randint(15, window.span + 30))
        first, last = name.split(" ", 1)
        rows.append(
            SecondmentRow(
                expert_name=name,
                expert_email=f"{ascii_slug(first)}.{ascii_slug(last)}@vendor.example",
                expertise="sales" if rng.random() < 0.45 else "technical",
                partner_id=partner.id,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=rng.choice([91, 122, 152, 183])),
            )
        )
    return sorted(rows, key=lambda r: (r.starts_on, r.expert_name))


# --- Opportunities ------------------------------------------------------------------------------------


@dataclass(slots=True)
class OpportunityRow:
    id: int
    account_id: int
    partner_id: int | None
    route: str
    product_line: str
    amount: Decimal
    stage: str
    expected_close: date | None
    closed_on: date | None
    roadshow_id: int | None
    external_id: str | None
    description: str
    registration_status: str | None
    registered_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
    protected_until: date | None
    has_conflict: bool
    created_at: datetime
    updated_at: datetime = field(default=None)
    # Claims (SPEC §4.2): what the partner claimed, and how the win was confirmed.
    awaiting_confirmation: bool = False
    claimed_amount: Decimal | None = None
    claimed_closed_on: date | None = None
    claimed_at: datetime | None = None
    confirmed_at: datetime | None = None
    confirmed_via: str | None = None


@dataclass(frozen=True)
class DemoUsers:
    channel_id: int | None = None
    partner_admin_id: int | None = None
    partner_rep_id: int | None = None


def round_amount(value: float) -> Decimal:
    step = 100 if value >= 10_000 else 10
    return Decimal(int(round(value / step)) * step).quantize(Decimal("0.01"))


def deal_amount(rng: Random, line: str, *, select: bool) -> Decimal:
    median, spread = vocab.DEAL_SIZE[line]
    value = rng.lognormvariate(math.log(median * (1.3 if select else 1.0)), spread)
    return round_amount(min(5_000_000, max(2_000, value)))


def make_opportunities(
    rng: Random,
    window: Window,
    partners: list[PartnerRow],
    accounts: list[AccountRow],
    assignments: list[AssignmentRow],
    roadshows: list[RoadshowRow],
    secondments: list[SecondmentRow],
    users: DemoUsers,
    count: int,
    first_id: int,
) -> list[OpportunityRow]:
    """Two years of business: direct and through partners, won, lost and open, with deal registrations.

    Partners' part of the opportunities grows over the window and partner deals on select
    accounts grow faster (the levers at work); the won amounts are then calibrated so the
    ecosystem share climbs from about 30 % to about 40 %.
    """
    today, start, span = window.today, window.start, window.span
    lead_in = 100  # deals created before the window may close inside it
    by_region, everyone = partner_pools(partners, demo_boost=2.5)
    partner_by_id = {p.id: p for p in partners}
    select = [a for a in accounts if a.is_select]
    others = [a for a in accounts if not a.is_select] or select
    assignment_picker = Picker(assignments, [6 if a.role == "primary" else 1 for a in assignments])
    seconded_from: dict[int, date] = {}
    for s in secondments:
        seconded_from[s.partner_id] = min(s.starts_on, seconded_from.get(s.partner_id, s.starts_on))
    past_roadshows: dict[int, list[RoadshowRow]] = defaultdict(list)
    for show in roadshows:
        if show.date <= today:
            for partner_id in show.partner_ids:
                past_roadshows[partner_id].append(show)
    demo_partner_id = partners[0].id
    growth = 0.35  # business grows over the two years

    rows: list[OpportunityRow] = []
    for _ in range(count):
        # When: created over the window (growing), closing after a sales cycle.
        while True:
            u = rng.random()
            t = (-1 + math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth
            # Up to yesterday: everything recorded has happened by now.
            created = start - timedelta(days=lead_in) + timedelta(days=int(t * (span - 1 + lead_in)))
            cycle = int(min(400, max(10, rng.lognormvariate(math.log(70), 0.55))))
            close = created + timedelta(days=cycle)
            if close >= start:
                break
        progress = min(1.0, max(0.0, (created - start).days / span))

        # Who: direct, a partner on a select account it covers, or a partner elsewhere.
        roll = rng.random()
        partner = account = None
        on_select_assignment = False
        if roll < 0.12 + 0.14 * progress and assignment_picker:
            for _ in range(10):
                a = assignment_picker.pick(rng)
                if a.valid_from <= created and (a.valid_to is None or created <= a.valid_to):
                    partner, account = partner_by_id[a.partner_id], accounts[a.account_id - accounts[0].id]
                    on_select_assignment = True
                    break
        if partner is None and roll < 0.38 + 0.10 * progress:
            account = rng.choice(others)
            pool = by_region[account.region] or everyone
            for _ in range(8):
                candidate = pool.pick(rng)
                if candidate.joined_on <= created:
                    partner = candidate
                    break
        if partner is None:
            account = rng.choice(select) if rng.random() < 0.22 else rng.choice(others)

        # What and how much.
        if partner is not None and rng.random() < 0.72:
            line = rng.choice(partner.specialisations)
        else:
            ai_weight = 0.10 + 0.16 * progress
            line = weighted(rng, {"hybrid_cloud": 0.22, "ai": ai_weight, "automation": 0.14, "data": 0.14,
                                  "infrastructure": 0.16, "security": 0.14})  # fmt: skip
        amount = deal_amount(rng, line, select=account.is_select)

        # Where it stands today.
        if close < today:
            win_rate = 0.40
            if partner is not None:
                win_rate = 0.43 + (0.08 if partner.id in seconded_from and seconded_from[partner.id] <= created else 0)
                if account.is_select and account.vendor_awareness == "low":
                    win_rate -= 0.04
            stage = "won" if rng.random() < win_rate else "lost"
            closed_on = close
            expected_close = close + timedelta(days=rng.choice([-14, -7, 0, 0, 0, 7, 21, 30]))
        else:
            elapsed = (today - created).days / cycle + rng.uniform(-0.15, 0.15)
            stage = "registered" if elapsed < 0.3 else "qualified" if elapsed < 0.65 else "proposal"
            closed_on, expected_close = None, close
        created_at = at(created, rng)

        row = OpportunityRow(
            id=0, account_id=account.id, partner_id=None, route="direct", product_line=line, amount=amount,
            stage=stage, expected_close=expected_close, closed_on=closed_on, roadshow_id=None, external_id=None,
            description=rng.choice(vocab.PRODUCT_DEALS[line]), registration_status=None, registered_by_id=None,
            decided_by_id=None, decided_at=None, decision_reason="", protected_until=None, has_conflict=False,
            created_at=created_at,
        )  # fmt: skip
        if partner is not None:
            row.partner_id = partner.id
            sourced = 0.68 if on_select_assignment else 0.5
            row.route = "partner_sourced" if rng.random() < sourced else "partner_influenced"
            register(rng, window, row, created, users)
            if partner.id == demo_partner_id:
                row.registered_by_id = users.partner_rep_id if rng.random() < 0.7 else users.partner_admin_id
            shows = [
                s for s in past_roadshows.get(partner.id, ())
                if s.region == account.region and 0 <= (created - s.date).days <= 120
            ]  # fmt: skip
            if shows and rng.random() < 0.5:
                row.roadshow_id = shows[-1].id
        last_change = max(
            [d for d in (created_at, row.decided_at, closed_on and at(closed_on, rng, 17, 19)) if d is not None]
        )
        row.updated_at = last_change
        rows.append(row)

    rows.sort(key=lambda r: (r.created_at, r.account_id, r.product_line))
    for offset, row in enumerate(rows):
        row.id = first_id + offset
    mark_claims(rng, window, rows)
    calibrate_share(rng, window, rows)
    number_bookings(rows)
    confirm_bookings(rng, window, rows)
    poach(rng, rows, assignments)
    flag_conflicts(rows, assignments, today)
    return rows


def poach(rng: Random, rows: list[OpportunityRow], assignments: list[AssignmentRow], share: float = 0.06) -> None:
    """A few fresh registrations land on select accounts another partner holds: conflicts for the channel team."""
    held = sorted({(a.account_id, a.partner_id) for a in assignments if a.valid_to is None and a.role == "primary"})
    if not held:
        return
    for row in rows:
        if row.registration_status == "pending" and rng.random() < share:
            account_id, holder = rng.choice(held)
            if holder != row.partner_id:
                row.account_id = account_id


def register(rng: Random, window: Window, row: OpportunityRow, created: date, users: DemoUsers) -> None:
    """The deal registration of a partner opportunity, as the channel team and the expiry job left it."""
    today = window.today
    delay = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 7, 10])
    recent = (today - created).days <= window.review_days
    if created + timedelta(days=delay) >= today or (recent and row.stage not in ("won", "lost") and rng.random() < 0.3):
        row.registration_status = "pending"  # waiting in the channel team's queue
        return
    roll = rng.random()
    if row.stage == "won":
        outcome = "approved" if roll < 0.97 else "lapsed"
    else:
        outcome = "approved" if roll < 0.82 else "rejected" if roll < 0.93 else "lapsed"
    if outcome == "lapsed":  # nobody decided in time: the review window ran out
        row.registration_status = "pending" if recent else "expired"
        return
    decided_on = created + timedelta(days=delay)
    row.decided_by_id = users.channel_id
    row.decided_at = at(decided_on, rng, 9, 17)
    if outcome == "rejected":
        row.registration_status = "rejected"
        row.decision_reason = rng.choice(vocab.REJECTION_REASONS)
        return
    row.registration_status = "approved"
    row.protected_until = decided_on + timedelta(days=window.protection_days)
    if row.stage == "won" and row.closed_on > row.protected_until:
        row.protected_until = row.closed_on  # protection extended until the win
    if row.stage != "won" and row.protected_until < today:
        row.registration_status = "expired"  # what the nightly expiry job does


def target_share(window: Window, index: int, rng: Random) -> float:
    """About 30 % two years ago, about 40 % now, with a little quarter-to-quarter noise."""
    last = len(window.quarters) - 1
    noise = 0.0 if index in (0, last) else rng.uniform(-0.012, 0.012)
    return 0.30 + 0.10 * index / max(1, last) + noise


def calibrate_share(rng: Random, window: Window, rows: list[OpportunityRow]) -> None:
    """Scale each quarter's direct won amounts so the ecosystem share follows :func:`target_share`."""
    won_by_quarter: dict[str, list[OpportunityRow]] = defaultdict(list)
    for r in rows:
        if r.stage == "won" and not r.awaiting_confirmation:  # a claim counts nowhere yet
            won_by_quarter[quarter_of(r.closed_on).label].append(r)
    for index, quarter in enumerate(window.quarters):
        won = won_by_quarter[quarter.label]
        partner = sum(float(r.amount) for r in won if r.partner_id is not None)
        direct = [r for r in won if r.partner_id is None]
        direct_total = sum(float(r.amount) for r in direct)
        share = target_share(window, index, rng)
        if not partner or not direct_total:
            continue
        factor = partner * (1 - share) / share / direct_total
        for r in direct:
            r.amount = round_amount(max(1_000, float(r.amount) * factor))


def mark_claims(rng: Random, window: Window, rows: list[OpportunityRow]) -> None:
    """Partner wins are claims (SPEC §4.2): most were confirmed by the order system's booking since,
    the recent ones often not yet, and a few older ones still wait (listed as overdue)."""
    today = window.today
    for row in rows:
        if row.stage != "won" or row.partner_id is None:
            continue
        row.claimed_amount, row.claimed_closed_on = row.amount, row.closed_on
        row.claimed_at = at(row.closed_on, rng, 17, 19)
        age = (today - row.closed_on).days
        if (age <= 40 and rng.random() < 0.5) or (40 < age <= 200 and rng.random() < 0.04):
            row.awaiting_confirmation = True
        elif rng.random() < 0.07:
            # The partner claimed another figure than the order system booked: the difference shows.
            row.claimed_amount = round_amount(float(row.amount) * rng.choice([0.8, 0.9, 1.1, 1.25, 1.5]))
            if rng.random() < 0.4:
                row.claimed_closed_on = row.closed_on - timedelta(days=rng.randint(1, 12))


def confirm_bookings(rng: Random, window: Window, rows: list[OpportunityRow]) -> None:
    """Every booked win (an external id) was confirmed by its booking a few days after it closed."""
    for row in rows:
        if row.external_id is not None:
            row.confirmed_via = "booking"
            row.confirmed_at = at(min(window.today, row.closed_on + timedelta(days=rng.randint(1, 10))), rng)


@dataclass(slots=True)
class QueuedBookingRow:
    id: int
    external_id: str
    account_id: int
    partner_id: int
    route: str
    product_line: str
    amount: Decimal
    closed_on: date
    registration: str
    reason: str
    candidates: list
    created_at: datetime
    updated_at: datetime


def queue_bookings(rng: Random, window: Window, rows: list[OpportunityRow], first_id: int) -> list[QueuedBookingRow]:
    """Partner bookings the import could not match, waiting in the channel team's reconciliation queue.

    Ambiguous ones: two claims of one partner on the same account and product line, one booking.
    Unmatched ones: a booking of a partner on an account and product line it claimed nothing on.
    """
    claims = [r for r in rows if r.awaiting_confirmation]
    by_partner: dict[int, list[OpportunityRow]] = defaultdict(list)
    for row in claims:
        by_partner[row.partner_id].append(row)
    queued: list[QueuedBookingRow] = []

    def add(row: OpportunityRow, *, reason: str, product_line: str, candidates: list[int]) -> None:
        stamp = at(min(window.today, row.closed_on + timedelta(days=rng.randint(2, 12))), rng)
        queued.append(QueuedBookingRow(
            id=first_id + len(queued), external_id=f"ORD-{row.closed_on.year}-Q{len(queued) + 1:05d}",
            account_id=row.account_id, partner_id=row.partner_id, route=row.route, product_line=product_line,
            amount=round_amount(float(row.amount) * rng.choice([1.0, 1.0, 0.95, 1.05])), closed_on=row.closed_on,
            registration="", reason=reason, candidates=candidates, created_at=stamp, updated_at=stamp,
        ))  # fmt: skip

    wanted = max(2, len(claims) // 12)
    for partner_rows in sorted(by_partner.values(), key=lambda rs: rs[0].partner_id):
        if len(queued) >= wanted:
            break
        if len(partner_rows) >= 2:
            first, second = partner_rows[0], partner_rows[1]
            second.account_id, second.product_line = first.account_id, first.product_line  # two look-alike claims
            add(first, reason="ambiguous", product_line=first.product_line, candidates=[first.id, second.id])
        row = partner_rows[-1]
        other_lines = [line for line in ("hybrid_cloud", "ai", "automation", "data", "infrastructure", "security")
                       if line != row.product_line]  # fmt: skip
        add(row, reason="unmatched", product_line=rng.choice(other_lines), candidates=[])
    return queued


def number_bookings(rows: list[OpportunityRow]) -> None:
    """Won deals carry the order system's booking number (the key of the bookings import); claims not yet."""
    counters: dict[int, int] = defaultdict(int)
    for row in sorted((r for r in rows if r.stage == "won" and not r.awaiting_confirmation),
                      key=lambda r: (r.closed_on, r.id)):  # fmt: skip
        counters[row.closed_on.year] += 1
        row.external_id = f"ORD-{row.closed_on.year}-{counters[row.closed_on.year]:06d}"


def flag_conflicts(rows: list[OpportunityRow], assignments: list[AssignmentRow], today: date) -> None:
    """Pending registrations conflicting with another partner's open primary or open registration.

    An open registration: on a deal still open, pending or approved and still protected.
    """
    open_primary = {a.account_id: a.partner_id for a in assignments if a.valid_to is None and a.role == "primary"}
    holders: dict[tuple, set] = defaultdict(set)
    for r in rows:
        if r.stage in ("won", "lost"):
            continue
        if r.registration_status == "pending" or (r.registration_status == "approved" and r.protected_until >= today):
            holders[(r.account_id, r.product_line)].add(r.partner_id)
    for r in rows:
        if r.registration_status == "pending":
            primary = open_primary.get(r.account_id)
            others = holders[(r.account_id, r.product_line)] - {r.partner_id}
            r.has_conflict = bool(others) or (primary is not None and primary != r.partner_id)


# --- Commissions and targets --------------------------------------------------------------------------


def program_spec(window: Window) -> dict:
    return {
        "name": f"Programme partenaires {window.start.year}–{window.today.year}",
        "valid_from": window.start,
        "valid_to": date(window.today.year, 12, 31),
        "status": "active",
        "description": (
            "Commissions des partenaires sur les affaires gagnées : un socle pour toutes les affaires, "
            "un taux majoré sur les comptes select avec enregistrement approuvé, des paliers pour les "
            "partenaires platinum et des bonus IA et secteur public."
        ),
    }


def rule_specs() -> list[dict]:
    """A handful of rules covering every calculation, both stackings, caps and an accelerator."""
    d = Decimal
    return [
        {"name": "Socle — toutes les affaires partenaires", "priority": 10, "stacking": "base",
         "calculation": "percent", "rate": d("0.04"), "min_amount": d("5000"), "cap_per_deal": d("25000")},
        {"name": "Platinum — paliers marginaux", "priority": 20, "stacking": "base", "partner_tiers": ["platinum"],
         "calculation": "tiered", "tier_mode": "marginal",
         "bands": [["0", "0.05"], ["250000", "0.065"], ["1000000", "0.08"]], "cap_per_period": d("150000")},
        {"name": "Comptes select — taux majoré", "priority": 30, "stacking": "base", "select_only": "yes",
         "registration_required": True, "calculation": "percent", "rate": d("0.08"), "cap_per_deal": d("50000"),
         "accelerator_threshold": d("1.0"), "accelerator_multiplier": d("1.25")},
        {"name": "Bonus IA — watsonx, Granite, Orchestrate", "priority": 0, "stacking": "bonus",
         "product_lines": ["ai"], "calculation": "percent", "rate": d("0.02"), "cap_per_deal": d("10000")},
        {"name": "Bonus secteur public — comptes select", "priority": 0, "stacking": "bonus",
         "sectors": ["public_sector"], "select_only": "yes", "registration_required": True,
         "min_amount": d("50000"), "calculation": "flat", "flat_amount": d("1500"), "cap_per_period": d("15000")},
    ]  # fmt: skip


def make_quotas(
    rng: Random, window: Window, partners: list[PartnerRow], rows: list[OpportunityRow]
) -> list[tuple[int, str, Decimal]]:
    """Quarterly quotas for active gold and platinum partners, around what they actually win."""
    won: dict[tuple[int, str], float] = defaultdict(float)
    for r in rows:
        if r.stage == "won" and r.partner_id is not None:
            won[(r.partner_id, quarter_of(r.closed_on).label)] += float(r.amount)
    quotas = []
    for p in partners:
        if p.status != "active" or p.tier not in ("gold", "platinum"):
            continue
        amounts = [won.get((p.id, q.label), 0.0) for q in window.quarters]
        typical = (sum(amounts) / len([a for a in amounts if a])) if any(amounts) else 80_000.0
        for quarter, amount in zip(window.quarters, amounts, strict=True):
            value = (amount or typical) * rng.uniform(0.75, 1.3)
            quotas.append((p.id, quarter.label, Decimal(max(25_000, round(value, -3))).quantize(Decimal("0.01"))))
    return quotas


def target_specs(window: Window) -> list[dict]:
    deadline = date(window.start.year + 4, 12, 31)
    return [
        {"name": "50 % des affaires via l'écosystème", "value": Decimal("0.50"),
         "baseline_period": window.quarters[0].label, "deadline": deadline},
        {"name": "Île-de-France : 55 % via l'écosystème", "value": Decimal("0.55"),
         "baseline_period": window.quarters[0].label, "deadline": deadline, "region": "ile_de_france"},
    ]  # fmt: skip


# --- Billing details ----------------------------------------------------------------------------------


@dataclass(slots=True)
class BillingRow:
    partner_id: int
    legal_name: str
    address_line: str
    postal_code: str
    city: str
    vat_number: str
    vat_exempt: bool
    vat_exemption_mention: str
    iban: str
    bic: str
    #: A new IBAN (and its bank's BIC) entered by the demo partner's admin, awaiting the channel team's confirmation.
    new_iban: str = ""
    new_bic: str = ""


def _bank_account(rng: Random) -> tuple[str, str]:
    bank = rng.choice(list(vocab.BANKS))
    return french_iban(rng.randint(1, 99_999_999_999), bank=bank, branch=rng.randint(1, 9_999)), vocab.BANKS[bank]


def make_billing_details(rng: Random, partners: list[PartnerRow]) -> list[BillingRow]:
    """Billing details for every partner: about one small partner in twenty is exempt from VAT (at least
    one), and the demo partner has just changed its IBAN (held until the channel team confirms it)."""
    rows = []
    for index, partner in enumerate(partners):
        exempt = index == len(partners) - 1 or (partner.tier == "silver" and rng.random() < 0.08)
        form = weighted(rng, vocab.LEGAL_FORMS)
        region = partner.home or "ile_de_france"
        city = rng.choice(vocab.REGIONS[region][1][:4])
        prefix = rng.choice(vocab.REGION_POSTCODES[region])
        postal_code = prefix + f"{rng.randint(0, 10 ** (5 - len(prefix)) - 1):0{5 - len(prefix)}d}"
        iban, bic = _bank_account(rng)
        rows.append(
            BillingRow(
                partner_id=partner.id, legal_name=f"{partner.name} {form}",
                address_line=f"{rng.randint(1, 180)} {rng.choice(vocab.STREETS)}", postal_code=postal_code, city=city,
                vat_number="" if exempt else french_vat_number(partner.siren), vat_exempt=exempt,
                vat_exemption_mention=vocab.VAT_FRANCHISE if exempt else "", iban=iban, bic=bic,
            )
        )  # fmt: skip
    rows[0].new_iban, rows[0].new_bic = _bank_account(rng)
    return rows
