from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from audit import display

        from .models import Target

        # What the target events record (field names), in words on the audit page.
        display.register(
            labels={f.name: f.verbose_name for f in Target._meta.fields if f.name not in ("region", "sector")}
        )
