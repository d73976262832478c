from django.apps import AppConfig
from django.db.backends.signals import connection_created


class EcosystemConfig(AppConfig):
    """The project package as an app: its templates, static files, commands and shared base."""

    name = "ecosystem"

    def ready(self):
        from .search import register_sqlite_function

        # SQLite has no accent folding of its own: the search function is given to each connection.
        connection_created.connect(register_sqlite_function, dispatch_uid="ecosystem_sqlite_fold")
