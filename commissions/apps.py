from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = "Commissions"

    def ready(self):
        from audit import display

        from .models import Rule

        # The rule fields an audit event names ("fields": ["rate", "cap_per_deal"]), as their labels.
        display.register(values={"fields": {field.name: field.verbose_name for field in Rule._meta.fields}})
