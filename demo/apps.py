from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set (``manage.py seed_demo``): the top floor, it may import every app."""

    name = "demo"
    verbose_name = "Demo data"
