"""Forms of the dataset pages: they check shapes; the services decide everything else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.models import AttributeDef, Category, Dataset, Stage
from datasets.services.stages import EXPORT_FORMATS


class DatasetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    requirement = forms.CharField(
        label=_("Service requirement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the service must do, in the words of its owner."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AxisForm(forms.Form):
    name = forms.CharField(label=_("Axis name"), max_length=100)
    slug = forms.SlugField(label=_("Slug"), max_length=50)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "axis_%s")  # shares its page with the category form
        super().__init__(*args, **kwargs)


class CategoryForm(forms.Form):
    axis = forms.ModelChoiceField(label=_("Axis"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Category name"), max_length=100)
    slug = forms.SlugField(label=_("Slug"), max_length=50)
    quota_target = forms.IntegerField(label=_("Quota target"), min_value=0, initial=0)
    decision = forms.ModelChoiceField(
        label=_("Decided by"), queryset=None, required=False, empty_label=_("No decision")
    )
    example = forms.FileField(
        label=_("Example image"),
        required=False,
        help_text=_("JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "category_%s")
        super().__init__(*args, **kwargs)
        self.fields["axis"].queryset = dataset.axes.order_by("position", "id")
        self.fields["decision"].queryset = dataset.decisions.order_by("id")
        self.fields["decision"].label_from_instance = _decision_label


def _decision_label(decision) -> str:
    return _("Decision %(id)s: %(question)s") % {"id": decision.pk, "question": str(decision)}


class CellQuotaForm(forms.Form):
    """A quota on the cell of two categories of different axes (shadow × handwritten)."""

    first = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)
    second = forms.ModelChoiceField(label=_("× category"), queryset=None, empty_label=None)
    quota_target = forms.IntegerField(label=_("Quota target"), min_value=0, initial=0)
    decision = forms.ModelChoiceField(
        label=_("Decided by"), queryset=None, required=False, empty_label=_("No decision")
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "cell_%s")
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(axis__dataset=dataset).select_related("axis")
        categories = categories.order_by("axis__position", "axis_id", "position", "id")
        for name in ("first", "second"):
            self.fields[name].queryset = categories
            self.fields[name].label_from_instance = lambda c: f"{c.axis.name}: {c.name}"
        self.fields["decision"].queryset = dataset.decisions.order_by("id")
        self.fields["decision"].label_from_instance = _decision_label


class DecisionForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the service's owner"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))
    answered_by = forms.CharField(
        label=_("Answered by"),
        max_length=200,
        required=False,
        help_text=_("Who gave the answer; leave empty if it was you."),
    )


class SpecCompareForm(forms.Form):
    from_version = forms.TypedChoiceField(label=_("From version"), coerce=int, choices=())
    to_version = forms.TypedChoiceField(label=_("To version"), coerce=int, choices=())

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        versions = [(v, f"v{v}") for v in range(dataset.spec_version, 0, -1)]
        self.fields["from_version"].choices = versions
        self.fields["to_version"].choices = versions


ALL_FORMATS = list(dict.fromkeys(name for names in EXPORT_FORMATS.values() for name in names))


class RegionTypeForm(forms.Form):
    name = forms.CharField(label=_("Type name"), max_length=100)
    slug = forms.SlugField(label=_("Slug"), max_length=50)
    top_level = forms.BooleanField(
        label=_("May stand alone on the image"), required=False, initial=True
    )
    parents = forms.ModelMultipleChoiceField(label=_("May nest in"), queryset=None, required=False)

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "type_%s")
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = dataset.region_types.order_by("position", "id")


class AttributeForm(forms.Form):
    region_type = forms.ModelChoiceField(label=_("Region type"), queryset=None, empty_label=None)
    name = forms.SlugField(label=_("Attribute name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=AttributeDef.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice attribute: the choices, separated by commas."),
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "attribute_%s")
        super().__init__(*args, **kwargs)
        self.fields["region_type"].queryset = dataset.region_types.order_by("position", "id")

    def clean_choices(self) -> list[str]:
        return [
            choice.strip() for choice in self.cleaned_data["choices"].split(",") if choice.strip()
        ]


class StageForm(forms.Form):
    """The shape of a stage; whether the schema can project it is the service's to decide."""

    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(label=_("Slug"), max_length=50)
    input_kind = forms.ChoiceField(label=_("Input"), choices=Stage.Input.choices)
    input_type = forms.ModelChoiceField(label=_("Input region type"), queryset=None, required=False)
    padding = forms.FloatField(label=_("Crop padding"), initial=0)
    padding_unit = forms.ChoiceField(label=_("Padding unit"), choices=Stage.PaddingUnit.choices)
    output_kind = forms.ChoiceField(label=_("Output"), choices=Stage.Output.choices)
    output_type = forms.ModelChoiceField(
        label=_("Output region type"), queryset=None, required=False
    )
    output_attribute = forms.ModelChoiceField(
        label=_("Output attribute"), queryset=None, required=False
    )
    export_formats = forms.MultipleChoiceField(
        label=_("Export formats"),
        choices=[(name, name) for name in ALL_FORMATS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    latency_ms = forms.IntegerField(label=_("Processing-time target (ms)"), required=False)
    latency_offline = forms.CharField(
        label=_("Offline, measured from → to"), max_length=200, required=False
    )
    latency_online = forms.CharField(
        label=_("Online, measured from → to"), max_length=200, required=False
    )
    metric = forms.CharField(label=_("Offline accuracy metric"), max_length=100, required=False)
    metric_target = forms.FloatField(label=_("Metric target"), required=False)
    online_measure = forms.CharField(
        label=_("Online measure it must predict"), max_length=200, required=False
    )
    qps_target = forms.FloatField(label=_("QPS target"), required=False)
    serving = forms.ChoiceField(
        label=_("Serving target"),
        choices=[("", "—"), *Stage.Serving.choices],
        required=False,
    )
    hardware_notes = forms.CharField(
        label=_("Hardware notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    budget = forms.CharField(label=_("Budget"), max_length=200, required=False)
    decision = forms.ModelChoiceField(label=_("Decided by"), queryset=None, required=False)

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["input_type"].queryset = dataset.region_types.all()
        self.fields["output_type"].queryset = dataset.region_types.all()
        self.fields["output_attribute"].queryset = AttributeDef.objects.filter(
            region_type__dataset=dataset
        ).select_related("region_type")
        self.fields["decision"].queryset = dataset.decisions.all()
        self.fields["decision"].label_from_instance = _decision_label
