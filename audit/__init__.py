"""The audit trail: who did what, when, from where.

Other modules call :func:`record` for the events worth keeping (logins, user
management, exports, approvals, rule changes)::

    import audit
    audit.record("export.statement", actor=request.user, target=statement, request=request)
"""


def record(kind, **kwargs):
    """Write one :class:`audit.models.AuditEvent`; see :func:`audit.services.record`."""
    from .services import record as _record

    return _record(kind, **kwargs)
