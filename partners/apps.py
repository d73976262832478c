from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from audit import display

        from .models import Expertise, Partner, PartnerKind, PartnerStatus, PartnerTier, Roadshow, Secondment

        # What the partner, secondment and roadshow events record (field names and codes), in words.
        fields = {f.name: f.verbose_name for model in (Partner, Secondment, Roadshow) for f in model._meta.fields}
        display.register(
            labels={
                **fields,
                "partners": _("attending partners (no.)"),
                "previous_status": _("status before"),
                "planned_end": _("planned end"),
            },
            values={
                "kind": dict(PartnerKind.choices),
                "tier": dict(PartnerTier.choices),
                "status": dict(PartnerStatus.choices),
                "previous_status": dict(PartnerStatus.choices),
                "expertise": dict(Expertise.choices),
            },
        )
