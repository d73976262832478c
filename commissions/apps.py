from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = "Commissions"

    def ready(self):
        from .overlap import reinstall_after_migrate

        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="commissions_periods_never_overlap")
