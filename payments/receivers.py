"""What the payments app does when commissions approves a run (commissions never imports payments:
it sends ``settlement_approved``, received here inside the approval's transaction)."""

from django.dispatch import receiver

from commissions.models import SettlementRun
from commissions.signals import settlement_approved

from .invoicing import invoices_issue_for_run


@receiver(settlement_approved, sender=SettlementRun, dispatch_uid="payments_issue_invoices_on_approval")
def issue_invoices_on_approval(sender, run, user, **kwargs):
    """The run's invoices and credit notes, numbered in the approval's transaction: an approval that
    rolls back issues nothing and leaves no gap in the sequence."""
    invoices_issue_for_run(run=run, actor=user)
