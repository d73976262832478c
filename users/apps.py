from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"

    def ready(self):
        from . import receivers  # noqa: F401  (starts the session clock at login)
