"""Kinds of audit events this project writes, with their labels.

A kind is a dotted code (``"login.failed"``). Modules may record kinds not listed
here; the audit page then shows the code itself.
"""

from django.utils.translation import gettext_lazy as _

LOGIN_SUCCEEDED = "login.succeeded"
LOGIN_FAILED = "login.failed"
LOCKED_OUT = "login.locked_out"
LOGGED_OUT = "logout"
SESSION_EXPIRED = "session.expired"
TOKEN_ISSUED = "token.issued"
TOKEN_ROTATED = "token.rotated"
TOKEN_REVOKED = "token.revoked"
PASSWORD_RESET_REQUESTED = "password.reset_requested"
PASSWORD_RESET_DONE = "password.reset"
PASSWORD_RESET_THROTTLED = "password.reset_throttled"
USER_INVITED = "user.invited"
INVITATION_RESENT = "user.invitation_resent"
INVITATION_ACCEPTED = "user.invitation_accepted"
INVITATION_HELD = "user.invitation_held"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
USER_ROLE_CHANGED = "user.role_changed"
USER_CHANGED = "user.changed"
EXPORT = "export"
APPROVAL = "approval"
RULE_CHANGED = "rule.changed"
BILLING_CHANGED = "billing.changed"
IBAN_CONFIRMED = "billing.iban_confirmed"
INVOICES_ISSUED = "invoices.issued"
PAYMENT_FILE_CREATED = "payment_file.created"
PAYMENT_FILE_RELEASED = "payment_file.released"
PAYMENT_FILE_CANCELLED = "payment_file.cancelled"
PAYMENT_FILE_EXECUTED = "payment_file.executed"
PARTNER_CREATED = "partner.created"
PARTNER_CHANGED = "partner.changed"
PARTNER_SUSPENDED = "partner.suspended"
PARTNER_ACTIVATED = "partner.activated"
SECONDMENT_CREATED = "secondment.created"
SECONDMENT_CHANGED = "secondment.changed"
SECONDMENT_ENDED = "secondment.ended"
ROADSHOW_CREATED = "roadshow.created"
ROADSHOW_CHANGED = "roadshow.changed"
ROADSHOW_ATTENDEE_ADDED = "roadshow.attendee_added"
ROADSHOW_ATTENDEE_REMOVED = "roadshow.attendee_removed"
TARGET_CREATED = "target.created"
TARGET_CHANGED = "target.changed"
CLAIM_CONFIRMED = "claim.confirmed"
BOOKING_RECONCILED = "booking.reconciled"
QUOTA_CHANGED = "quota.changed"
QUOTAS_IMPORTED = "quota.imported"
SETTLEMENT_REVIEWED = "settlement.reviewed"
MANUAL_ADJUSTMENT = "settlement.manual_adjustment"
DISPUTE_DECIDED = "dispute.decided"
SETTLEMENT_PAID = "settlement.paid"

LABELS = {
    LOGIN_SUCCEEDED: _("Login"),
    LOGIN_FAILED: _("Failed login"),
    LOCKED_OUT: _("Locked out"),
    LOGGED_OUT: _("Logout"),
    SESSION_EXPIRED: _("Session expired"),
    TOKEN_ISSUED: _("API token issued"),
    TOKEN_ROTATED: _("API token rotated"),
    TOKEN_REVOKED: _("API token revoked"),
    PASSWORD_RESET_REQUESTED: _("Password reset requested"),
    PASSWORD_RESET_DONE: _("Password reset"),
    PASSWORD_RESET_THROTTLED: _("Password reset refused (too many requests)"),
    USER_INVITED: _("User invited"),
    INVITATION_RESENT: _("Invitation sent again"),
    INVITATION_ACCEPTED: _("Invitation accepted"),
    INVITATION_HELD: _("Invitation held: the address is already in use"),
    USER_DEACTIVATED: _("User deactivated"),
    USER_REACTIVATED: _("User reactivated"),
    USER_ROLE_CHANGED: _("Role changed"),
    USER_CHANGED: _("User changed (admin)"),
    EXPORT: _("Export"),
    APPROVAL: _("Approval"),
    RULE_CHANGED: _("Commission rule changed"),
    BILLING_CHANGED: _("Billing details changed"),
    IBAN_CONFIRMED: _("IBAN confirmed"),
    INVOICES_ISSUED: _("Invoices issued"),
    PAYMENT_FILE_CREATED: _("Payment file made"),
    PAYMENT_FILE_RELEASED: _("Payment file released"),
    PAYMENT_FILE_CANCELLED: _("Payment file cancelled"),
    PAYMENT_FILE_EXECUTED: _("Payment file executed: statements paid"),
    PARTNER_CREATED: _("Partner created"),
    PARTNER_CHANGED: _("Partner changed"),
    PARTNER_SUSPENDED: _("Partner suspended"),
    PARTNER_ACTIVATED: _("Partner activated"),
    SECONDMENT_CREATED: _("Secondment created"),
    SECONDMENT_CHANGED: _("Secondment changed"),
    SECONDMENT_ENDED: _("Secondment ended early"),
    ROADSHOW_CREATED: _("Roadshow created"),
    ROADSHOW_CHANGED: _("Roadshow changed"),
    ROADSHOW_ATTENDEE_ADDED: _("Roadshow attendee added"),
    ROADSHOW_ATTENDEE_REMOVED: _("Roadshow attendee removed"),
    TARGET_CREATED: _("Target created"),
    TARGET_CHANGED: _("Target changed"),
    CLAIM_CONFIRMED: _("Claim confirmed by hand"),
    BOOKING_RECONCILED: _("Booking reconciled"),
    QUOTA_CHANGED: _("Quota entered or changed"),
    QUOTAS_IMPORTED: _("Quotas imported"),
    SETTLEMENT_REVIEWED: _("Settlement reviewed for approval"),
    MANUAL_ADJUSTMENT: _("Manual adjustment added"),
    DISPUTE_DECIDED: _("Dispute decided"),
    SETTLEMENT_PAID: _("Settlement marked paid"),
}

#: Kinds only the internal roles read, even in a history a partner user may see (a user's page): they
#: tell of other partners' data (an invitation held because its address belongs to another partner's user).
INTERNAL_ONLY = frozenset({INVITATION_HELD})


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
