from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Paying partners (SPEC §5.2): above ``commissions`` in the layers; nothing below imports it."""

    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from audit import display
        from commissions import carried, paying

        from . import receivers  # noqa: F401  (connects to commissions' settlement_approved)
        from .carrying import statement_expressions
        from .releasing import statements_held_back
        from .worklist import register_work

        # The manual "mark paid" leaves out what a payment file pays or a hold keeps back.
        paying.register_holds(statements_held_back)
        # Statements show what earlier negative totals take off their payment.
        carried.register(statement_expressions)
        register_work()
        from .models import BillingDetails

        # What the payments events record, in words on the audit page.
        display.register(
            labels={
                "iban": _("IBAN"),
                "before": _("before"),
                "after": _("after"),
                "entered_by": _("entered by (user no.)"),
                "held": _("payments held"),
                "transfers": _("transfers"),
                "run": _("settlement run no."),
                "execution_date": _("execution date"),
                "first": _("first invoice"),
                "last": _("last invoice"),
                "count": _("invoices"),
                "made_by": _("made by"),
            },
            values={"fields": {field.name: field.verbose_name for field in BillingDetails._meta.fields}},
        )
