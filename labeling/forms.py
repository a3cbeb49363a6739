"""The labeling pages' forms: a task kind, and a batch cut by category need."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.models import AttributeDef, Category, Dataset, RegionType
from labeling.models import TaskKind
from vendors.models import Contract


class TaskKindForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Short name (for the API)"), max_length=50)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    types = forms.ModelMultipleChoiceField(
        label=_("Region types it edits"),
        queryset=RegionType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    attributes = forms.ModelMultipleChoiceField(
        label=_("Attributes it fills in"),
        queryset=AttributeDef.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requires = forms.ModelMultipleChoiceField(
        label=_("Accepted region types it needs first"),
        queryset=RegionType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        types = RegionType.objects.filter(dataset=dataset).order_by("position", "id")
        self.fields["types"].queryset = types
        self.fields["types"].label_from_instance = lambda t: t.name
        self.fields["requires"].queryset = types
        self.fields["requires"].label_from_instance = lambda t: t.name
        self.fields["attributes"].queryset = (
            AttributeDef.objects.filter(region_type__dataset=dataset)
            .select_related("region_type")
            .order_by("region_type__position", "position", "id")
        )
        self.fields["attributes"].label_from_instance = lambda a: f"{a.region_type.name}: {a.name}"


class BatchCutForm(forms.Form):
    """Task kind, contract (its vendor is the batch's), due date, and one count per category
    of the chosen axis (empty: its quota gap), filters as checkboxes."""

    task_kind = forms.ModelChoiceField(label=_("Task kind"), queryset=TaskKind.objects.none())
    contract = forms.ModelChoiceField(
        label=_("Vendor and contract"), queryset=Contract.objects.none()
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Batch name"), max_length=200, required=False)
    allow_short = forms.BooleanField(
        label=_("Take what is available when a category has fewer items than asked"),
        required=False,
    )
    seed = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, dataset: Dataset, axis, gaps: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.axis = axis
        self.fields["task_kind"].queryset = TaskKind.objects.filter(dataset=dataset)
        self.fields["contract"].queryset = (
            Contract.objects.filter(
                dataset=dataset, kind=Contract.Kind.LABELING, closed_at__isnull=True
            )
            .select_related("vendor")
            .order_by("vendor__name", "name")
        )
        self.fields["contract"].label_from_instance = lambda c: f"{c.vendor.name} — {c.name}"
        categories = list(
            Category.objects.filter(axis__dataset=dataset)
            .select_related("axis")
            .order_by("axis__position", "axis_id", "position", "id")
        )
        self.need_names, self.filter_names = [], []
        for category in categories:
            if axis is not None and category.axis_id == axis.pk:
                name = f"need_{category.pk}"
                self.fields[name] = forms.IntegerField(
                    label=category.name,
                    min_value=0,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={
                            "placeholder": gaps.get(category.pk, 0),
                            "data-key": f"{category.axis.slug}={category.slug}",
                        }
                    ),
                )
                self.need_names.append((name, category))
            else:
                name = f"filter_{category.pk}"
                self.fields[name] = forms.BooleanField(
                    label=f"{category.axis.name}: {category.name}",
                    required=False,
                    widget=forms.CheckboxInput(
                        attrs={"data-key": f"{category.axis.slug}={category.slug}"}
                    ),
                )
                self.filter_names.append((name, category))

    def main_fields(self):
        names = {"task_kind", "contract", "due_on", "name", "allow_short", "seed"}
        return [self[name] for name in self.fields if name in names]

    def need_fields(self):
        return [(self[name], category) for name, category in self.need_names]

    def filter_fields(self):
        return [self[name] for name, _category in self.filter_names]

    def need(self) -> dict:
        data = self.cleaned_data
        return {
            f"{category.axis.slug}={category.slug}": data.get(name)
            for name, category in self.need_names
        }

    def filters(self) -> list[str]:
        data = self.cleaned_data
        return [
            f"{category.axis.slug}={category.slug}"
            for name, category in self.filter_names
            if data.get(name)
        ]


class TaskIdsField(forms.Field):
    """Task ids posted as hidden inputs of one name, each a whole number."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one task."),
        "invalid": _("Task ids are whole numbers."),
    }

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class SkippedSettleForm(forms.Form):
    """Remove tasks every annotator skipped, or mark them unusable."""

    task_ids = TaskIdsField(label=_("Tasks"))
    action = forms.ChoiceField(
        label=_("What to do"),
        choices=[("remove", _("Remove from the batch")), ("unusable", _("Mark unusable"))],
    )
