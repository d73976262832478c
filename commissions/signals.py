"""Signals commissions sends to the apps above it, which it never imports (the layers stay one way)."""

from django.dispatch import Signal

#: Sent by ``settlement_approve`` inside the approval's transaction, once the run is approved, with
#: ``run`` (the approved SettlementRun) and ``user`` (the approver). A receiver's error rolls the
#: approval back: what it writes (the payments app's invoices) stands or falls with the approval.
settlement_approved = Signal()
