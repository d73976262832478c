from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from audit import display

        from . import receivers  # noqa: F401  (starts the session clock at login)
        from .models import User, UserStatus

        # What user events record as codes: the status a user had, the fields an admin changed.
        display.register(
            labels={"used_by": _("address used by (user no.)"), "used_by_partner": _("of partner no.")},
            values={
                "was": dict(UserStatus.choices),
                "fields": {field.name: field.verbose_name for field in User._meta.fields},
            }
        )
