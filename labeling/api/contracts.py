"""Contracts over the API: terms, price history, cost and forecast, a suggested price.

They live in labeling because a contract shows its task kind. Money goes in and out as
decimal strings with the currency code ("1200" KRW, "0.85" USD): a JSON number for money is
a 400 naming the field. Terms, prices and cost are for planners and the vendor's own managers
(``vendors.policy.contract_terms_visible_to``); anybody else gets 404 on a contract.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.money import money_text
from datasets import policy as dataset_policy
from datasets import selectors as dataset_selectors
from labeling import contract_terms
from labeling import policy as labeling_policy
from vendors import policy, selectors, services
from vendors.models import Contract, ContractPrice


@extend_schema_field(OpenApiTypes.STR)
class MoneyField(serializers.Field):
    """A decimal string in the contract's currency, passed on as it came: the service refuses
    a JSON number, extra decimals or zero (``core.money.money_parse``)."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return str(value)


def _units(value) -> str:
    """A count of units as a plain decimal string: 12, 2.5 (no exponent, no padding)."""
    return f"{value.normalize():f}" if value is not None else None


class QuotaOut(serializers.Serializer):
    category = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()


class ContractOut(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    task_kind = serializers.IntegerField(source="task_kind_id", allow_null=True)
    task_kind_name = serializers.SerializerMethodField()
    unit_price = serializers.SerializerMethodField()
    budget = serializers.SerializerMethodField()
    expected_regions = serializers.SerializerMethodField()
    quotas = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "vendor",
            "vendor_name",
            "dataset",
            "kind",
            "task_kind",
            "task_kind_name",
            "name",
            "unit",
            "currency",
            "unit_price",
            "expected_regions",
            "quantity",
            "budget",
            "starts_on",
            "ends_on",
            "time_zone",
            "notes",
            "quotas",
            "created_at",
            "closed_at",
        ]

    def get_task_kind_name(self, contract: Contract) -> str | None:
        return self.context.get("kinds", {}).get(contract.task_kind_id)

    def get_unit_price(self, contract: Contract) -> str:
        return money_text(contract.unit_price, contract.currency)

    def get_budget(self, contract: Contract) -> str:
        return money_text(contract.budget, contract.currency)

    def get_expected_regions(self, contract: Contract) -> str | None:
        return _units(contract.expected_regions)

    @extend_schema_field(QuotaOut(many=True))
    def get_quotas(self, contract: Contract) -> list[dict]:
        return [
            {
                "category": quota.category_id,
                "key": f"{quota.category.axis.slug}={quota.category.slug}",
                "name": quota.category.name,
                "quantity": quota.quantity,
            }
            for quota in contract.quotas.all()
        ]


def contract_out(contracts, *, many: bool = False) -> dict | list:
    listed = contracts if many else [contracts]
    context = {"kinds": contract_terms.task_kind_names(listed)}
    return ContractOut(contracts, many=many, context=context).data


class ContractIn(serializers.Serializer):
    vendor = serializers.IntegerField()
    dataset = serializers.IntegerField()
    kind = serializers.ChoiceField(Contract.Kind.choices)
    task_kind = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200)
    unit = serializers.ChoiceField(Contract.Unit.choices)
    currency = serializers.CharField(max_length=3)
    unit_price = MoneyField()
    expected_regions = MoneyField(required=False, allow_null=True, default=None)
    quantity = serializers.IntegerField()
    budget = MoneyField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    quotas = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text='Photos per category, by key: {"capture=shadow": 300} (collection only).',
    )


class ContractChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    notes = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    budget = MoneyField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    unit = serializers.ChoiceField(Contract.Unit.choices)
    currency = serializers.CharField(max_length=3)
    expected_regions = MoneyField(allow_null=True)
    time_zone = serializers.CharField(max_length=64)


class PriceOut(serializers.ModelSerializer):
    unit_price = serializers.SerializerMethodField()
    currency = serializers.CharField(source="contract.currency", read_only=True)
    changed_by = serializers.CharField(source="created_by", allow_null=True, read_only=True)

    class Meta:
        model = ContractPrice
        fields = ["id", "unit_price", "currency", "effective_at", "note", "changed_by"]

    def get_unit_price(self, price: ContractPrice) -> str:
        return money_text(price.unit_price, price.contract.currency)


class PriceIn(serializers.Serializer):
    unit_price = MoneyField()
    effective_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ForecastOut(serializers.Serializer):
    remaining = serializers.CharField()
    days = serializers.IntegerField()
    finish_on = serializers.DateField()
    cost = serializers.CharField()
    late = serializers.BooleanField()
    over_budget = serializers.BooleanField()


class CostOut(serializers.Serializer):
    contract = serializers.IntegerField()
    currency = serializers.CharField()
    unit_price = serializers.CharField(help_text="The price in effect now.")
    accepted_units = serializers.CharField()
    cost = serializers.CharField()
    reserved_units = serializers.CharField()
    reserved_amount = serializers.CharField()
    quantity_left = serializers.CharField()
    budget_left = serializers.CharField()
    burned_percent = serializers.CharField()
    rate = serializers.CharField(help_text="Units accepted a day over the last 14 days.")
    today = serializers.DateField()
    forecast = ForecastOut(allow_null=True)


def cost_out(row: dict) -> dict:
    """A cost summary row with money in its currency's decimals and units as plain decimals."""
    currency = row["currency"]
    forecast = row["forecast"]
    return {
        "contract": row["contract"].pk,
        "currency": currency,
        "unit_price": money_text(row["unit_price"], currency),
        "accepted_units": _units(row["accepted_units"]),
        "cost": money_text(row["cost"], currency),
        "reserved_units": _units(row["reserved_units"]),
        "reserved_amount": money_text(row["reserved_amount"], currency),
        "quantity_left": _units(row["quantity_left"]),
        "budget_left": money_text(row["budget_left"], currency),
        "burned_percent": str(row["burned_percent"]),
        "rate": str(row["rate"]),
        "today": row["today"],
        "forecast": forecast
        and {
            **forecast,
            "remaining": _units(forecast["remaining"]),
            "cost": money_text(forecast["cost"], currency),
        },
    }


class SuggestionOut(serializers.Serializer):
    pilot_batch = serializers.IntegerField()
    currency = serializers.CharField()
    hourly_rate = serializers.CharField()
    tasks = serializers.IntegerField(help_text="Timed tasks of the pilot.")
    median_seconds = serializers.CharField()
    regions_per_item = serializers.CharField(allow_null=True)
    regions_from = serializers.ChoiceField(["pilot", "contract"], allow_null=True)
    unit_price = serializers.CharField()


def _contract(request, contract_id: int) -> Contract:
    contracts = policy.contract_terms_visible_to(request.user).select_related("vendor")
    return get_object_or_404(contracts, pk=contract_id)


def _refused(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: message})


class ContractListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("vendor", int, description="Only this vendor's contracts"),
            OpenApiParameter("dataset", int, description="Only contracts on this dataset"),
        ],
        responses=ContractOut(many=True),
        summary="The contracts you may see: every vendor's for planners, your own for managers",
    )
    def get(self, request):
        policy.require(policy.can_view_contracts(request.user))
        contracts = policy.contract_terms_visible_to(request.user)
        for name in ("vendor", "dataset"):
            value = request.query_params.get(name)
            if value is not None:
                if not value.isdigit():
                    raise _refused(name, _("Give a number."))
                contracts = contracts.filter(**{f"{name}_id": int(value)})
        contracts = (
            contracts.select_related("vendor")
            .prefetch_related("quotas__category__axis")
            .order_by("vendor__name", "-starts_on", "id")
        )
        return Response(contract_out(list(contracts), many=True))

    @extend_schema(request=ContractIn, responses={201: ContractOut}, summary="Make a contract")
    def post(self, request):
        policy.require(policy.can_manage_vendors(request.user))
        data = ContractIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        vendor = policy.vendors_visible_to(request.user).filter(pk=fields.pop("vendor")).first()
        if vendor is None:
            raise _refused("vendor", _("No such vendor."))
        dataset = (
            dataset_policy.datasets_visible_to(request.user)
            .filter(pk=fields.pop("dataset"))
            .first()
        )
        if dataset is None:
            raise _refused("dataset", _("No such dataset."))
        task_kind = fields.pop("task_kind")
        if fields["kind"] == Contract.Kind.LABELING:
            fields["task_kind_id"] = contract_terms.task_kind_in(dataset, task_kind).pk
        elif task_kind is not None:
            raise _refused("task_kind", _("A contract for collecting photos has no task kind."))
        fields["quotas"] = {
            dataset_selectors.category_get(dataset=dataset, key=key, field="quotas"): count
            for key, count in fields.pop("quotas").items()
        }
        fields["time_zone"] = fields.get("time_zone") or None
        contract = services.contract_create(
            vendor=vendor, dataset=dataset, by=request.user, **fields
        )
        return Response(contract_out(contract), status=status.HTTP_201_CREATED)


class ContractDetailApi(APIView):
    @extend_schema(responses=ContractOut, summary="One contract's terms")
    def get(self, request, contract_id: int):
        return Response(contract_out(_contract(request, contract_id)))

    @extend_schema(
        request=ContractChangeIn(partial=True),
        responses=ContractOut,
        summary="Change a contract's terms (currency, unit, expected regions and time zone "
        "only while its ledger is empty)",
    )
    def patch(self, request, contract_id: int):
        contract = _contract(request, contract_id)
        policy.require(policy.can_manage_vendors(request.user))
        data = ContractChangeIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contract = services.contract_update(
            contract=contract, by=request.user, **data.validated_data
        )
        return Response(contract_out(contract))


class ContractPriceListApi(APIView):
    @extend_schema(responses=PriceOut(many=True), summary="The contract's prices, oldest first")
    def get(self, request, contract_id: int):
        contract = _contract(request, contract_id)
        prices = selectors.price_history(contract=contract).select_related("contract")
        return Response(PriceOut(prices, many=True).data)

    @extend_schema(
        request=PriceIn,
        responses={201: PriceOut},
        summary="A new price for work accepted from now (or a later moment) on",
    )
    def post(self, request, contract_id: int):
        contract = _contract(request, contract_id)
        policy.require(policy.can_manage_vendors(request.user))
        data = PriceIn(data=request.data)
        data.is_valid(raise_exception=True)
        price = services.contract_price_change(
            contract=contract, by=request.user, **data.validated_data
        )
        return Response(PriceOut(price).data, status=status.HTTP_201_CREATED)


class ContractCostApi(APIView):
    @extend_schema(
        responses=CostOut,
        summary="Accepted work, cost, room left, budget burned and the forecast, from the ledger",
    )
    def get(self, request, contract_id: int):
        contract = _contract(request, contract_id)
        row = selectors.cost_summary(contracts=[contract])["rows"][0]
        return Response(cost_out(row))


class ContractPriceSuggestionApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("pilot_batch", int, required=True, description="A pilot batch"),
            OpenApiParameter(
                "hourly_rate", str, required=True, description="A decimal string, e.g. 12000"
            ),
        ],
        responses=SuggestionOut,
        summary="A unit price from a pilot batch's median active time and an hourly rate",
    )
    def get(self, request, contract_id: int):
        contract = _contract(request, contract_id)
        policy.require(policy.can_manage_vendors(request.user))
        pilot = request.query_params.get("pilot_batch", "")
        batch = (
            labeling_policy.batches_visible_to(request.user)
            .select_related("task_kind")
            .filter(pk=int(pilot))
            .first()
            if pilot.isdigit()
            else None
        )
        if batch is None:
            raise _refused("pilot_batch", _("Choose a pilot batch of the contract's dataset."))
        suggestion = contract_terms.price_suggestion(
            contract=contract, batch=batch, hourly_rate=request.query_params.get("hourly_rate")
        )
        currency = contract.currency
        return Response(
            {
                **suggestion,
                "hourly_rate": money_text(suggestion["hourly_rate"], currency),
                "median_seconds": _units(suggestion["median_seconds"]),
                "regions_per_item": _units(suggestion["regions_per_item"]),
                "unit_price": money_text(suggestion["unit_price"], currency),
            }
        )
