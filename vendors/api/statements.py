"""Statements through the API: a vendor's statements with their totals, one statement with
its subtotals per price, and closing one. Money is given as decimal strings in the
statement's currency."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.money import money_text
from core.schema import ErrorOut
from vendors import policy, selectors, services
from vendors.models import Statement

MONEY_HELP = "A decimal string in the statement's currency, e.g. “1200” or “0.85”."


class SubtotalOut(serializers.Serializer):
    unit_price = serializers.CharField(help_text=MONEY_HELP)
    line_count = serializers.IntegerField()
    units = serializers.CharField(help_text="A decimal string.")
    amount = serializers.CharField(help_text=MONEY_HELP)


class StatementOut(serializers.ModelSerializer):
    """A statement's period (days in ``time_zone``; ``period_end`` exclusive) and totals:
    recorded when closed, summed from the ledger while open."""

    contract = serializers.IntegerField(source="contract_id")
    contract_name = serializers.CharField(source="contract.name")
    vendor = serializers.IntegerField(source="contract.vendor_id")
    currency = serializers.CharField(source="contract.currency")
    time_zone = serializers.CharField(source="contract.time_zone")
    closed = serializers.SerializerMethodField()
    line_count = serializers.SerializerMethodField()
    total_units = serializers.SerializerMethodField()
    total_amount = serializers.SerializerMethodField()
    csv = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "contract",
            "contract_name",
            "vendor",
            "currency",
            "time_zone",
            "period_start",
            "period_end",
            "closed",
            "closed_at",
            "last_line_id",
            "line_count",
            "total_units",
            "total_amount",
            "csv",
        ]

    def _figures(self, statement: Statement) -> dict:
        return self.context["figures"][statement.pk]

    def get_closed(self, statement: Statement) -> bool:
        return statement.closed_at is not None

    def get_line_count(self, statement: Statement) -> int:
        return self._figures(statement)["line_count"]

    @extend_schema_field(serializers.CharField(help_text="A decimal string."))
    def get_total_units(self, statement: Statement) -> str:
        return f"{self._figures(statement)['total_units'].normalize():f}"

    @extend_schema_field(serializers.CharField(help_text=MONEY_HELP))
    def get_total_amount(self, statement: Statement) -> str:
        return money_text(self._figures(statement)["total_amount"], statement.contract.currency)

    def get_csv(self, statement: Statement) -> str:
        return reverse("vendors:statement-csv", args=[statement.pk])


class StatementDetailOut(StatementOut):
    subtotals = serializers.SerializerMethodField()

    class Meta(StatementOut.Meta):
        fields = [*StatementOut.Meta.fields, "subtotals"]

    @extend_schema_field(SubtotalOut(many=True))
    def get_subtotals(self, statement: Statement) -> list[dict]:
        currency = statement.contract.currency
        return [
            {
                "unit_price": money_text(row["unit_price"], currency),
                "line_count": row["line_count"],
                "units": f"{row['units'].normalize():f}",
                "amount": money_text(row["amount"], currency),
            }
            for row in selectors.statement_subtotals(statement=statement)
        ]


def _statement(request, statement_id: int) -> Statement:
    return get_object_or_404(
        policy.statements_visible_to(request.user).select_related("contract"), pk=statement_id
    )


def _detail(statement: Statement) -> dict:
    figures = selectors.statement_figures(statements=[statement])
    return StatementDetailOut(statement, context={"figures": figures}).data


class StatementListApi(ListAPIView):
    serializer_class = StatementOut

    @extend_schema(
        summary="A vendor's statements, one per contract and month, with their totals",
        description=(
            "Every month a contract has ledger lines in, and the current month, has a "
            "statement (made when first listed). Months are days in the contract's time "
            "zone. Planners see every vendor's; a vendor manager their own vendor's."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        vendor = get_object_or_404(
            policy.statement_vendors_visible_to(self.request.user), pk=self.kwargs["vendor_id"]
        )
        policy.require(policy.can_see_cost(self.request.user, vendor))
        services.statements_ensure(contracts=vendor.contracts.all())
        return Statement.objects.filter(contract__vendor=vendor).select_related("contract")

    def get_serializer(self, *args, **kwargs):
        page = args[0] if args else []
        kwargs["context"] = {
            **self.get_serializer_context(),
            "figures": selectors.statement_figures(statements=page),
        }
        return self.get_serializer_class()(*args, **kwargs)


class StatementDetailApi(APIView):
    @extend_schema(
        responses=StatementDetailOut,
        summary="One statement: its totals, and its lines' subtotals per unit price",
    )
    def get(self, request, statement_id: int):
        return Response(_detail(_statement(request, statement_id)))


class StatementCloseApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: send no body (or `{}`)
        responses={200: StatementDetailOut, 409: ErrorOut},
        summary="Close a statement after its period ended; it never changes after",
        description=(
            "Records the ledger's last line, the line count and the totals. 409 "
            "`statement_period_open` before the period's end (in the contract's time zone), "
            "409 `statement_closed` when it is already closed. Planners only."
        ),
    )
    def post(self, request, statement_id: int):
        statement = _statement(request, statement_id)
        policy.require(policy.can_close_statement(request.user, statement))
        statement = services.statement_close(statement=statement, by=request.user)
        return Response(_detail(statement))
