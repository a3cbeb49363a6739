"""Forms of the contract pages: they check shapes; ``vendors.services`` decides the rest.

Money fields are text: the service reads them as decimal strings in the contract's currency
(₩12.5 and $0.855 are refused there, beside the field).
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from labeling.models import Batch, TaskKind
from vendors.models import Contract, Vendor


class DateInput(forms.DateInput):
    input_type = "date"


def _money(label, **options) -> forms.CharField:
    options.setdefault("help_text", _("A decimal number, e.g. 1200 or 0.85."))
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **options,
    )


class ContractPickForm(forms.Form):
    """Which vendor and dataset a new contract is for: the rest of the form depends on them."""

    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=None)
    dataset = forms.ModelChoiceField(label=_("Dataset"), queryset=None)

    def __init__(self, *args, datasets, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(closed_at__isnull=True)
        self.fields["dataset"].queryset = datasets.order_by("name", "id")


class ContractForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=None)
    name = forms.CharField(label=_("Contract name"), max_length=200)
    kind = forms.ChoiceField(label=_("Work"), choices=Contract.Kind.choices)
    task_kind = forms.ModelChoiceField(
        label=_("Task kind"),
        queryset=None,
        required=False,
        empty_label=_("None (collecting photos)"),
        help_text=_("Only this dataset's task kinds."),
    )
    unit = forms.ChoiceField(label=_("Priced"), choices=Contract.Unit.choices)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial="KRW",
        help_text=_("ISO 4217 code: KRW, USD, EUR, …"),
    )
    unit_price = _money(_("Unit price"))
    expected_regions = forms.CharField(
        label=_("Expected regions per item"),
        max_length=10,
        required=False,
        help_text=_("For a price per region: what a cut reserves for each item."),
    )
    quantity = forms.IntegerField(label=_("Contracted quantity"))
    budget = _money(_("Budget cap"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Days of statements and throughput, e.g. Asia/Seoul."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, dataset, vendor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        self.fields["vendor"].queryset = Vendor.objects.filter(closed_at__isnull=True)
        if vendor is not None:
            self.fields["vendor"].initial = vendor.pk
        self.fields["task_kind"].queryset = TaskKind.objects.filter(dataset=dataset).order_by("id")
        self.fields["time_zone"].initial = settings.TIME_ZONE
        self.quota_fields = []
        for category in (
            dataset.axes.order_by("position", "id").prefetch_related("categories").all()
        ):
            for item in category.categories.all():
                name = f"quota_{item.pk}"
                self.fields[name] = forms.IntegerField(
                    label=_("Photos of %(axis)s: %(category)s")
                    % {"axis": category.name, "category": item.name},
                    required=False,
                    min_value=1,
                )
                self.quota_fields.append((name, item))

    def quotas(self) -> dict:
        """Category → photos, for the categories given a number."""
        return {
            category: self.cleaned_data[name]
            for name, category in self.quota_fields
            if self.cleaned_data.get(name)
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        kind = data.pop("task_kind")
        for name, _category in self.quota_fields:
            data.pop(name, None)
        return {
            **data,
            "dataset": self.dataset,
            "task_kind_id": kind.pk if kind else None,
            "expected_regions": data["expected_regions"] or None,
            "quotas": self.quotas() or None,
        }


class ContractEditForm(forms.Form):
    name = forms.CharField(label=_("Contract name"), max_length=200)
    quantity = forms.IntegerField(label=_("Contracted quantity"))
    budget = _money(_("Budget cap"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    expected_regions = forms.CharField(
        label=_("Expected regions per item"),
        max_length=10,
        required=False,
        help_text=_("Fixed once work was cut or accepted under the contract."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Fixed once work was cut or accepted under the contract."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_of(cls, contract: Contract) -> dict:
        def plain(value):
            return "" if value is None else f"{value.normalize():f}"

        return {
            "name": contract.name,
            "quantity": contract.quantity,
            "budget": plain(contract.budget),
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "expected_regions": plain(contract.expected_regions),
            "time_zone": contract.time_zone,
            "notes": contract.notes,
        }


class PriceForm(forms.Form):
    unit_price = _money(_("New unit price"), help_text=_("For work accepted from now on."))
    note = forms.CharField(label=_("Why"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "price_%s")
        super().__init__(*args, **kwargs)


class SuggestionForm(forms.Form):
    pilot_batch = forms.ModelChoiceField(label=_("Pilot batch"), queryset=None)
    hourly_rate = _money(_("Hourly rate"), help_text=_("What an hour of an annotator costs."))

    def __init__(self, *args, contract: Contract, **kwargs) -> None:
        kwargs.setdefault("auto_id", "suggest_%s")
        super().__init__(*args, **kwargs)
        self.fields["pilot_batch"].queryset = Batch.objects.filter(
            dataset_id=contract.dataset_id
        ).order_by("-created_at", "-id")
        self.fields["pilot_batch"].label_from_instance = _batch_label


def _batch_label(batch: Batch) -> str:
    if batch.name:
        return _("%(name)s (batch %(id)s)") % {"name": batch.name, "id": batch.pk}
    return _("Batch %(id)s") % {"id": batch.pk}


class BudgetForm(forms.Form):
    budget = _money(_("Budget"))
    axis = forms.ChoiceField(label=_("Split over"), required=False)

    def __init__(self, *args, axes: list[dict], **kwargs) -> None:
        kwargs.setdefault("auto_id", "budget_%s")
        super().__init__(*args, **kwargs)
        self.fields["axis"].choices = [(a["slug"], a["name"]) for a in axes]
