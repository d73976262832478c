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
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
USER_ROLE_CHANGED = "user.role_changed"
USER_CHANGED = "user.changed"
EXPORT = "export"
APPROVAL = "approval"
RULE_CHANGED = "rule.changed"
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
    USER_DEACTIVATED: _("User deactivated"),
    USER_REACTIVATED: _("User reactivated"),
    USER_ROLE_CHANGED: _("Role changed"),
    USER_CHANGED: _("User changed (admin)"),
    EXPORT: _("Export"),
    APPROVAL: _("Approval"),
    RULE_CHANGED: _("Commission rule changed"),
    QUOTA_CHANGED: _("Quota entered or changed"),
    QUOTAS_IMPORTED: _("Quotas imported"),
    SETTLEMENT_REVIEWED: _("Settlement reviewed for approval"),
    MANUAL_ADJUSTMENT: _("Manual adjustment added"),
    DISPUTE_DECIDED: _("Dispute decided"),
    SETTLEMENT_PAID: _("Settlement marked paid"),
}


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
