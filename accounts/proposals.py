"""Rule-based assignment proposals, as pure functions (no database).

For each unassigned select account, the partners that may cover it are the active ones
serving its region with capacity left. Among them the engine prefers:

- a specialisation fit: the partner's product lines against what the account's sector buys;
- a track record: won deals in the account's sector;
- the tier (platinum, then gold);
and balances the load: each candidate's score loses ``LOAD_WEIGHT`` × its share of capacity
already used, so accounts spread over partners instead of piling on the best one.

Bigger accounts (more employees) are placed first, so they get the best fits. The result
is deterministic: same inputs in any order, same proposal.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ecosystem.choices import ProductLine, Sector

#: What each sector mostly buys: the product lines a partner should know to cover it.
SECTOR_AFFINITY: dict[str, frozenset[str]] = {
    Sector.LUXURY: frozenset({ProductLine.AI, ProductLine.DATA, ProductLine.HYBRID_CLOUD}),
    Sector.INDUSTRY: frozenset({ProductLine.INFRASTRUCTURE, ProductLine.AUTOMATION, ProductLine.AI}),
    Sector.PUBLIC_SECTOR: frozenset({ProductLine.HYBRID_CLOUD, ProductLine.SECURITY, ProductLine.AUTOMATION}),
    Sector.BANKING: frozenset({ProductLine.SECURITY, ProductLine.INFRASTRUCTURE, ProductLine.DATA}),
    Sector.INSURANCE: frozenset({ProductLine.DATA, ProductLine.AI, ProductLine.SECURITY}),
    Sector.RETAIL: frozenset({ProductLine.DATA, ProductLine.AI, ProductLine.HYBRID_CLOUD}),
    Sector.HEALTHCARE: frozenset({ProductLine.SECURITY, ProductLine.DATA, ProductLine.HYBRID_CLOUD}),
    Sector.ENERGY: frozenset({ProductLine.INFRASTRUCTURE, ProductLine.AI, ProductLine.AUTOMATION}),
    Sector.TELECOM: frozenset({ProductLine.HYBRID_CLOUD, ProductLine.AUTOMATION, ProductLine.SECURITY}),
    Sector.TRANSPORT: frozenset({ProductLine.AUTOMATION, ProductLine.DATA, ProductLine.INFRASTRUCTURE}),
    Sector.SERVICES: frozenset({ProductLine.HYBRID_CLOUD, ProductLine.AI, ProductLine.AUTOMATION}),
}

SPECIALISATION_POINTS = Decimal("2")  # per matching product line, at most two
TRACK_RECORD_POINTS = Decimal("0.5")  # per won deal in the sector, at most six
TIER_POINTS = {"platinum": Decimal("1"), "gold": Decimal("0.5"), "silver": Decimal("0")}
LOAD_WEIGHT = Decimal("4")
CENT = Decimal("0.01")

#: Why an account was left unplaced (codes; :mod:`.proposal_reasons` words them for the reader).
NO_PARTNER_IN_REGION = "no_partner_in_region"
NO_CAPACITY_LEFT = "no_capacity_left"


@dataclass(frozen=True)
class CandidatePartner:
    id: int
    name: str
    regions: frozenset[str]
    specialisations: frozenset[str]
    tier: str
    capacity: int
    open_primaries: int = 0
    #: Won deals by sector, e.g. ``{"banking": 4}``.
    sector_wins: dict[str, int] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class UnassignedAccount:
    id: int
    region: str
    sector: str
    employees: int = 0


@dataclass(frozen=True)
class ProposedAssignment:
    account_id: int
    partner_id: int
    score: Decimal
    reasons: tuple[dict, ...]  # parts: a kind and its codes and figures (:mod:`.proposal_reasons` renders them)


@dataclass
class Proposal:
    items: list[ProposedAssignment]
    unplaced: dict[int, str]  # account id → why no partner was proposed

    def summary(self) -> dict:
        reasons: dict[str, int] = {}
        for reason in self.unplaced.values():
            reasons[reason] = reasons.get(reason, 0) + 1
        return {
            "proposed": len(self.items),
            "unplaced": len(self.unplaced),
            "unplaced_reasons": reasons,
            "partners": len({item.partner_id for item in self.items}),
        }


def fit(partner: CandidatePartner, sector: str) -> tuple[Decimal, list[dict]]:
    """How well ``partner`` fits an account of ``sector``, before load balancing, with the reasons."""
    reasons = []
    score = Decimal("0")
    matching = sorted(partner.specialisations & SECTOR_AFFINITY.get(sector, frozenset()))
    if matching:
        score += SPECIALISATION_POINTS * min(len(matching), 2)
        reasons.append({"kind": "specialised", "product_lines": [str(line) for line in matching], "sector": sector})
    wins = partner.sector_wins.get(sector, 0)
    if wins:
        score += TRACK_RECORD_POINTS * min(wins, 6)
        reasons.append({"kind": "won_deals", "count": wins, "sector": sector})
    if TIER_POINTS.get(partner.tier):
        score += TIER_POINTS[partner.tier]
        reasons.append({"kind": "tier", "tier": partner.tier})
    return score, reasons


def propose(accounts: Iterable[UnassignedAccount], partners: Iterable[CandidatePartner]) -> Proposal:
    """One primary partner per account where a partner with capacity serves its region."""
    partners = sorted(partners, key=lambda p: p.id)
    by_region: dict[str, list[CandidatePartner]] = {}
    for partner in partners:
        if partner.capacity <= 0:
            continue
        for region in partner.regions:
            by_region.setdefault(region, []).append(partner)
    load = {partner.id: partner.open_primaries for partner in partners}
    fits: dict[tuple[int, str], tuple[Decimal, list[str]]] = {}
    items: list[ProposedAssignment] = []
    unplaced: dict[int, str] = {}
    for account in sorted(accounts, key=lambda a: (-(a.employees or 0), a.id)):
        candidates = by_region.get(account.region)
        if not candidates:
            unplaced[account.id] = NO_PARTNER_IN_REGION
            continue
        best = None
        for partner in candidates:
            used = load[partner.id]
            if used >= partner.capacity:
                continue
            key = (partner.id, account.sector)
            if key not in fits:
                fits[key] = fit(partner, account.sector)
            score = fits[key][0] - LOAD_WEIGHT * Decimal(used) / Decimal(partner.capacity)
            # Highest score; on a tie the least loaded, then the lowest id (candidates are in id order).
            if best is None or score > best[0] or (score == best[0] and used < load[best[1].id]):
                best = (score, partner)
        if best is None:
            unplaced[account.id] = NO_CAPACITY_LEFT
            continue
        score, partner = best
        reasons = (
            {"kind": "serves", "region": account.region},
            *fits[(partner.id, account.sector)][1],
            {"kind": "load", "load": load[partner.id], "capacity": partner.capacity},
        )
        load[partner.id] += 1
        items.append(ProposedAssignment(account.id, partner.id, score.quantize(CENT, ROUND_HALF_UP), reasons))
    return Proposal(items=items, unplaced=unplaced)
