"""The export request form of the exports page."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.models import Dataset, Stage
from exports.models import Export
from exports.selectors import stage_export_formats
from exports.services import SPLITS


class FormatSelect(forms.Select):
    """A select whose options name the stages offering them, so the page can hide the rest."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.offered_by: dict[str, list[str]] = {}  # format → stage slugs; the form sets it

    def create_option(self, name, value, *args, **kwargs) -> dict:
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-stages"] = " ".join(self.offered_by.get(value, ()))
        return option


class ExportForm(forms.Form):
    """An export request; whether the stage offers the format is the service's to decide."""

    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=None, empty_label=None, to_field_name="slug"
    )
    splits = forms.MultipleChoiceField(
        label=_("Splits"),
        choices=[("train", _("Train")), ("val", _("Val")), ("test", _("Test"))],
        initial=list(SPLITS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one split.")},
    )
    format = forms.ChoiceField(label=_("Format"), choices=(), widget=FormatSelect)
    images = forms.ChoiceField(
        label=_("Images"),
        choices=Export.Images.choices,
        initial=Export.Images.REFERENCE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "export_%s")
        super().__init__(*args, **kwargs)
        stages = list(dataset.stages.order_by("position", "id"))
        self.fields["stage"].queryset = dataset.stages.order_by("position", "id")
        offered_by: dict[str, list[str]] = {}
        for stage in stages:
            for name in stage_export_formats(stage):
                offered_by.setdefault(name, []).append(stage.slug)
        self.fields["format"].choices = [(name, name) for name in offered_by]
        self.fields["format"].widget.offered_by = offered_by
        firsts = {stage.slug: next(iter(stage_export_formats(stage)), "") for stage in stages}
        self.fields["format"].widget.attrs["data-first"] = json.dumps(firsts)
        # a crop stage always includes its crops: the page ticks "include" for it
        crops = [stage.slug for stage in stages if stage.input_kind == Stage.Input.CROP]
        self.fields["images"].widget.attrs["data-crop-stages"] = json.dumps(crops)
        chosen = next((s for s in stages if s.slug == self.initial.get("stage")), None)
        chosen = chosen or (stages[0] if stages else None)
        if chosen is not None and not self.is_bound:
            self.initial["stage"] = chosen.slug
            self.initial.setdefault("format", next(iter(stage_export_formats(chosen)), None))
