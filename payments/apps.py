from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Paying partners (SPEC §5.2): above ``commissions`` in the layers; nothing below imports it."""

    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to commissions' settlement_approved)
