from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from audit import display

        from . import account_deals
        from .models import QueuedBookingStatus
        from .worklist import register_work

        register_work()
        account_deals.connect()
        # What the claim and booking events record, in words on the audit page.
        display.register(
            labels={"closed_on": _("closed on"), "booking": _("booking"), "outcome": _("outcome")},
            values={"outcome": dict(QueuedBookingStatus.choices)},
        )
