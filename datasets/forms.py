"""Forms of the dataset pages: they check shapes; the services decide everything else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.models import AttributeDef, Axis, Category, Dataset, RegionType, Stage
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


class AxisEditForm(forms.Form):
    """Rename an axis: only its name; its slug is how items and annotations name it."""

    name = forms.CharField(label=_("Axis name"), max_length=100)

    @classmethod
    def of(cls, axis: Axis, data=None, *, bound: bool = False) -> "AxisEditForm":
        """The form of this axis: its values, ``data`` if posted, bound to them if asked."""
        current = {"name": axis.name}
        return cls(
            data or (current if bound else None), initial=current, auto_id=f"axis-{axis.pk}-%s"
        )


class CategoryEditForm(forms.Form):
    """Rename a category, change its quota, description or decision; the slug stays."""

    name = forms.CharField(label=_("Category name"), max_length=100)
    quota_target = forms.IntegerField(label=_("Quota target"), min_value=0)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.TypedChoiceField(
        label=_("Decided by"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, dataset: Dataset, decisions=None, **kwargs) -> None:
        """``decisions``: the dataset's decisions, read once for a page of these forms."""
        super().__init__(*args, **kwargs)
        if decisions is None:
            decisions = dataset.decisions.order_by("id")
        self.decisions = {decision.pk: decision for decision in decisions}
        self.fields["decision"].choices = [
            ("", _("No decision")),
            *((pk, _decision_label(decision)) for pk, decision in self.decisions.items()),
        ]

    def clean_decision(self):
        return self.decisions.get(self.cleaned_data["decision"])

    @classmethod
    def of(
        cls, category: Category, data=None, *, bound: bool = False, decisions=None
    ) -> "CategoryEditForm":
        """The form of this category, like ``AxisEditForm.of``."""
        current = {
            "name": category.name,
            "quota_target": category.quota_target,
            "description": category.description,
            "decision": category.decision_id or "",
        }
        return cls(
            data or (current if bound else None),
            initial=current,
            dataset=category.axis.dataset,
            decisions=decisions,
            auto_id=f"category-{category.pk}-%s",
        )


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
        # What the form offers first is a valid cell: a category of the first axis paired
        # with one of another axis, never two of the same axis.
        listed = list(categories)
        other = next((c for c in listed if c.axis_id != listed[0].axis_id), None)
        self.offered = other is not None  # a cell needs categories on two axes
        if other is not None:
            self.initial.setdefault("first", listed[0].pk)
            self.initial.setdefault("second", other.pk)
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

    @classmethod
    def of(cls, decision, data=None) -> "DecisionAnswerForm":
        """The answer form of one decision on a page that lists them all."""
        current = {"answer": decision.answer, "answered_by": decision.answered_by}
        return cls(data, initial=current, auto_id=f"decision-{decision.pk}-%s")


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


class RegionTypeEditForm(forms.Form):
    """Rename a region type or change where it may sit; its slug stays."""

    name = forms.CharField(label=_("Type name"), max_length=100)
    top_level = forms.BooleanField(label=_("May stand alone on the image"), required=False)
    parents = forms.ModelMultipleChoiceField(label=_("May nest in"), queryset=None, required=False)

    def __init__(self, *args, region_type: RegionType, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        others = region_type.dataset.region_types.exclude(pk=region_type.pk)
        self.fields["parents"].queryset = others.order_by("position", "id")

    @classmethod
    def of(cls, region_type: RegionType, data=None, *, bound: bool = False):
        """The form of this region type, like ``AxisEditForm.of``."""
        current = {
            "name": region_type.name,
            "top_level": region_type.top_level,
            "parents": [parent.pk for parent in region_type.parents.all()],
        }
        return cls(
            data or (current if bound else None),
            initial=current,
            region_type=region_type,
            auto_id=f"type-{region_type.pk}-%s",
        )


class AttributeEditForm(forms.Form):
    """Change an attribute's kind, whether it is required, its choices; its name is its key
    in the annotations, so the service refuses a rename once ground truth carries it."""

    name = forms.SlugField(label=_("Attribute name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=AttributeDef.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice attribute: the choices, separated by commas."),
    )

    def clean_choices(self) -> list[str]:
        return choices_split(self.cleaned_data["choices"])

    @classmethod
    def of(cls, attribute: AttributeDef, data=None, *, bound: bool = False):
        """The form of this attribute, like ``AxisEditForm.of``."""
        current = {
            "name": attribute.name,
            "kind": attribute.kind,
            "required": attribute.required,
            "choices": ", ".join(attribute.choices),
        }
        return cls(
            data or (current if bound else None),
            initial=current,
            auto_id=f"attribute-{attribute.pk}-%s",
        )


def choices_split(text: str) -> list[str]:
    """ "upright, italic" → ["upright", "italic"]."""
    return [choice.strip() for choice in text.split(",") if choice.strip()]


class AttributeForm(AttributeEditForm):
    """A new attribute: the fields of an attribute, and the region type it belongs to."""

    region_type = forms.ModelChoiceField(label=_("Region type"), queryset=None, empty_label=None)
    field_order = ["region_type", "name", "kind", "required", "choices"]

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        kwargs.setdefault("auto_id", "attribute_%s")
        super().__init__(*args, **kwargs)
        self.fields["region_type"].queryset = dataset.region_types.order_by("position", "id")


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
