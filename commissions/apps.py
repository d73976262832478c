from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = "Commissions"

    def ready(self):
        from audit import display

        from .models import Rule
        from .overlap import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="commissions_periods_never_overlap")

        # The rule fields an audit event names ("fields": ["rate", "cap_per_deal"]), as their labels.
        display.register(values={"fields": {field.name: field.verbose_name for field in Rule._meta.fields}})
