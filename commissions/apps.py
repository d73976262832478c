from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = "Commissions"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from audit import display

        from .models import Rule
        from .overlap import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="commissions_periods_never_overlap")

        # The rule fields an audit event names ("fields": ["rate", "cap_per_deal"]), as their labels; the
        # quota, review, adjustment, dispute and payment events' details.
        display.register(
            labels={
                "unchanged": _("unchanged"),
                "skipped": _("skipped"),
                "updated": _("updated"),
                "periods": _("periods"),
                "open_disputes": _("open disputes"),
                "previous_total": _("previous period's total"),
                "exceptions_acknowledged": _("exceptions acknowledged"),
                "confirmed_total": _("total confirmed"),
                "new": _("new"),
                "old": _("old"),
                "adjustment": _("adjustment no."),
                "line": _("line no."),
                "paid_on": _("paid on"),
                "own_references": _("statements with their own reference"),
                "statements_paid": _("statements paid"),
                "source": _("paid by"),
                "paid_so_far": _("statements paid so far"),
                "to_pay": _("statements to pay"),
                "run_paid": _("run fully paid"),
                "left_out": _("statements left out"),
                "dispute": _("dispute no."),
                "opportunity": _("deal no."),
            },
            values={
                "fields": {field.name: field.verbose_name for field in Rule._meta.fields},
                "outcome": {"accepted": _("accepted"), "rejected": _("rejected")},
            },
        )
