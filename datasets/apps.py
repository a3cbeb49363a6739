from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = _("Datasets")

    def ready(self) -> None:
        import pillow_heif

        pillow_heif.register_heif_opener()  # iPhones save photos as HEIC
