"""Assignment proposals, the database side: gather the inputs, store the proposal, apply or discard it.

The scoring itself is pure (:mod:`accounts.proposals`). A proposal is computed by a job,
stored as items, reviewed in the workspace, and only written as assignments when the
channel team accepts all or some of it.
"""

from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from ecosystem.choices import Region, Sector
from ecosystem.validators import MAX_ID
from jobs.services import job_create, job_enqueue
from partners.models import Partner, PartnerStatus

from .assigning import AssignmentRow, apply_assignments
from .deals import wins_by_sector
from .models import (
    Account,
    Assignment,
    AssignmentProposal,
    AssignmentRole,
    ProposalItem,
    ProposalItemNote,
    ProposalItemStatus,
    ProposalStatus,
)
from .proposals import CandidatePartner, UnassignedAccount, propose

TRACK_RECORD_DAYS = 730


def clean_scope(params: dict) -> dict:
    """Keep only known regions and sectors; refuse anything else with a message naming the field."""
    scope = {}
    for name, choices in (("region", Region), ("sector", Sector)):
        values = params.get(name) or []
        if isinstance(values, str):
            values = [values]
        unknown = [v for v in values if v not in choices.values]
        if unknown:
            raise ValidationError({name: f"unknown {name}: {', '.join(map(str, unknown))}"})
        if values:
            scope[name] = sorted(set(values))
    return scope


def unassigned_select_accounts(scope: dict):
    open_primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
    accounts = Account.objects.select().exclude(Exists(open_primary))
    if scope.get("region"):
        accounts = accounts.filter(region__in=scope["region"])
    if scope.get("sector"):
        accounts = accounts.filter(sector__in=scope["sector"])
    return accounts


def candidate_partners() -> list[CandidatePartner]:
    """Active partners with their load and sector track record: three queries."""
    since = timezone.localdate() - timedelta(days=TRACK_RECORD_DAYS)
    wins = wins_by_sector(since)
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).annotate(
        open_primaries=Count(
            "assignments", filter=Q(assignments__valid_to__isnull=True, assignments__role=AssignmentRole.PRIMARY)
        )
    )
    return [
        CandidatePartner(
            id=p.id,
            name=p.name,
            regions=frozenset(p.regions or []),
            specialisations=frozenset(p.specialisations or []),
            tier=p.tier,
            capacity=p.capacity,
            open_primaries=p.open_primaries,
            sector_wins=wins.get(p.id, {}),
        )
        for p in partners
    ]


def proposal_request(*, user, params: dict | None = None) -> AssignmentProposal:
    """Create a proposal and enqueue the job that computes it (after commit)."""
    scope = clean_scope(params or {})
    with transaction.atomic():
        job = job_create(kind="assignment_proposal", user=user, params=scope)
        proposal = AssignmentProposal.objects.create(created_by=user, params=scope, job=job)
        job.params = {**scope, "proposal": proposal.pk}
        job.save(update_fields=["params"])
        job_enqueue("accounts.compute_proposal", job)
    return proposal


def proposal_compute(proposal_id: int, report: Callable | None = None) -> dict:
    """Compute (or recompute: idempotent) a proposal's items from the current data."""
    with transaction.atomic():
        proposal = AssignmentProposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status not in (ProposalStatus.COMPUTING, ProposalStatus.FAILED):
            return proposal.summary
        accounts = [
            UnassignedAccount(a["id"], a["region"], a["sector"], a["employees"] or 0)
            for a in unassigned_select_accounts(proposal.params).values("id", "region", "sector", "employees")
        ]
        if report:
            report(0, len(accounts), "Scoring partners")
        result = propose(accounts, candidate_partners())
        ProposalItem.objects.filter(proposal=proposal).delete()
        ProposalItem.objects.bulk_create(
            [
                ProposalItem(
                    proposal=proposal,
                    account_id=item.account_id,
                    partner_id=item.partner_id,
                    score=item.score,
                    reasons=list(item.reasons),
                )
                for item in result.items
            ],
            batch_size=2000,
        )
        proposal.summary = {"accounts": len(accounts), **result.summary()}
        proposal.status = ProposalStatus.READY
        proposal.save(update_fields=["summary", "status"])
    if report:
        report(len(accounts), len(accounts), "Proposal ready")
    return {"proposal": proposal.pk, **proposal.summary}


def proposal_fail(proposal_id: int) -> None:
    AssignmentProposal.objects.filter(pk=proposal_id, status=ProposalStatus.COMPUTING).update(
        status=ProposalStatus.FAILED
    )


def _lock_ready(proposal: AssignmentProposal) -> AssignmentProposal:
    locked = AssignmentProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.READY:
        raise ValidationError(f"Proposal #{locked.pk} is {locked.get_status_display().lower()}, not ready for review.")
    return locked


def proposal_accept(*, proposal: AssignmentProposal, user, item_ids: list[int] | None = None) -> dict:
    """Write the accepted items (all, or ``item_ids``) as primary assignments, in one transaction.

    Accepting some items leaves the others proposed: the proposal stays ready for review until no
    item is left to decide (then it is applied) or the channel team discards the rest. An account
    assigned meanwhile is not reassigned: its item is marked not applied, with why.
    """
    today = timezone.localdate()
    with transaction.atomic():
        proposal = _lock_ready(proposal)
        items = ProposalItem.objects.filter(proposal=proposal, status=ProposalItemStatus.PROPOSED)
        if item_ids is not None:
            wanted = set(item_ids)
            in_range = [pk for pk in wanted if 0 < pk <= MAX_ID]  # a larger id overflows the query
            known = set(items.filter(pk__in=in_range).values_list("pk", flat=True))
            if unknown := wanted - known:
                raise ValidationError({"items": f"not items of this proposal: {', '.join(map(str, sorted(unknown)))}"})
            items = items.filter(pk__in=wanted)
        open_primary = Assignment.objects.open().filter(account=OuterRef("account_id"), role=AssignmentRole.PRIMARY)
        items = items.annotate(taken=Exists(open_primary))
        chosen, taken = [], []
        for item in items.only("pk", "account_id", "partner_id"):
            (taken if item.taken else chosen).append(item)
        rows = [AssignmentRow(i.account_id, i.partner_id, AssignmentRole.PRIMARY, today, line=i.pk) for i in chosen]
        result = apply_assignments(rows, user=user, reason=f"Proposal #{proposal.pk}")
        if not result.written:
            raise ValidationError("; ".join(e.message for e in result.errors[:5]))
        ProposalItem.objects.filter(pk__in=[i.pk for i in chosen]).update(status=ProposalItemStatus.ACCEPTED)
        ProposalItem.objects.filter(pk__in=[i.pk for i in taken]).update(
            status=ProposalItemStatus.SKIPPED, note=ProposalItemNote.ASSIGNED_MEANWHILE
        )
        summary = proposal.summary if isinstance(proposal.summary, dict) else {}
        proposal.summary = {
            **summary,
            "accepted": _count(summary, "accepted") + len(chosen),
            "assigned_meanwhile": _count(summary, "assigned_meanwhile") + len(taken),
        }
        remaining = ProposalItem.objects.filter(proposal=proposal, status=ProposalItemStatus.PROPOSED).count()
        fields = ["summary"]
        if not remaining:
            proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.APPLIED, user, timezone.now()
            fields += ["status", "decided_by", "decided_at"]
        proposal.save(update_fields=fields)
    return {
        "accepted": len(chosen),
        "assigned_meanwhile": len(taken),
        "created": result.created,
        "remaining": remaining,
    }


def _count(summary: dict, key: str) -> int:
    try:
        return int(summary.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def proposal_discard(*, proposal: AssignmentProposal, user) -> None:
    """Close the proposal: the items still proposed are not applied (those accepted stay written)."""
    with transaction.atomic():
        proposal = _lock_ready(proposal)
        ProposalItem.objects.filter(proposal=proposal, status=ProposalItemStatus.PROPOSED).update(
            status=ProposalItemStatus.SKIPPED, note=ProposalItemNote.DISCARDED
        )
        proposal.status = ProposalStatus.DISCARDED
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
