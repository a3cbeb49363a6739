from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _leases_end(*, user) -> int:
    from labeling.services.handout import leases_end  # the services load only when used

    return leases_end(user=user)


class LabelingConfig(AppConfig):
    name = "labeling"
    verbose_name = _("Labeling")

    def ready(self) -> None:
        from vendors.services import deactivation_step_register

        # a deactivated annotator's leases end at once, whichever page deactivates them
        deactivation_step_register(_leases_end)
