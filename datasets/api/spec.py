from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ErrorOut
from datasets import policy, selectors, services
from datasets.models import Category, Dataset, RequirementDecision
from datasets.serializers import (
    AxisChangeIn,
    AxisIn,
    AxisOut,
    CategoryChangeIn,
    CategoryIn,
    CategoryOut,
    CellQuotaIn,
    CellQuotaOut,
    DatasetIn,
    DatasetOut,
    DecisionAnswerIn,
    DecisionIn,
    DecisionOut,
    SpecChangeOut,
    SpecCompareIn,
    SpecCompareOut,
)


class DatasetListApi(ListAPIView):
    serializer_class = DatasetOut

    @extend_schema(summary="Datasets visible to you")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.dataset_list(visible=policy.datasets_visible_to(self.request.user))

    @extend_schema(request=DatasetIn, responses={201: DatasetOut}, summary="Create a dataset")
    def post(self, request):
        policy.require(policy.can_create_dataset(request.user))
        data = DatasetIn(data=request.data)
        data.is_valid(raise_exception=True)
        dataset = services.dataset_create(**data.validated_data, by=request.user)
        return Response(DatasetOut(dataset).data, status=status.HTTP_201_CREATED)


class DatasetDetailApi(APIView):
    def _dataset(self, request, dataset_id: int):
        return policy.dataset_for(request.user, dataset_id)

    @extend_schema(responses=DatasetOut, summary="One dataset")
    def get(self, request, dataset_id: int):
        return Response(DatasetOut(self._dataset(request, dataset_id)).data)

    @extend_schema(
        request=DatasetIn(partial=True),
        responses=DatasetOut,
        summary="Change a dataset's name or prose",
    )
    def patch(self, request, dataset_id: int):
        dataset = self._dataset(request, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = DatasetIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        dataset = services.dataset_update(dataset=dataset, by=request.user, **data.validated_data)
        return Response(DatasetOut(dataset).data)


def decision_in(dataset: Dataset, fields: dict) -> None:
    """Replace a ``decision`` id in validated data by the decision, which must be this dataset's."""
    if fields.get("decision") is not None:
        fields["decision"] = selectors.decision_get(dataset=dataset, decision_id=fields["decision"])


class AxisListApi(APIView):
    @extend_schema(
        responses=AxisOut(many=True),
        summary="The dataset's taxonomy: axes with their categories and quota targets",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(AxisOut(selectors.axis_list(dataset=dataset), many=True).data)

    @extend_schema(request=AxisIn, responses={201: AxisOut}, summary="Add an axis")
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = AxisIn(data=request.data)
        data.is_valid(raise_exception=True)
        axis = services.axis_create(dataset=dataset, by=request.user, **data.validated_data)
        return Response(AxisOut(axis).data, status=status.HTTP_201_CREATED)


class AxisDetailApi(APIView):
    def _axis(self, request, dataset_id: int, axis_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        axis = get_object_or_404(dataset.axes, pk=axis_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        return axis

    @extend_schema(
        request=AxisChangeIn,
        responses=AxisOut,
        summary="Rename an axis; its slug stays (kept in the spec history)",
    )
    def patch(self, request, dataset_id: int, axis_id: int):
        axis = self._axis(request, dataset_id, axis_id)
        data = AxisChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        if "name" in data.validated_data:
            axis = services.axis_update(axis=axis, by=request.user, **data.validated_data)
        return Response(AxisOut(axis).data)

    @extend_schema(
        request=None,
        responses={204: None, 409: ErrorOut},
        summary="Delete an axis and its categories, if no item carries one",
    )
    def delete(self, request, dataset_id: int, axis_id: int):
        services.axis_delete(axis=self._axis(request, dataset_id, axis_id), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListApi(APIView):
    @extend_schema(
        request=CategoryIn,
        responses={201: CategoryOut},
        summary="Add a category with its quota target to an axis",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = CategoryIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        decision_in(dataset, fields)
        axis = selectors.axis_get(dataset=dataset, slug=fields.pop("axis"))
        category = services.category_create(axis=axis, by=request.user, **fields)
        return Response(CategoryOut(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    def _category(self, request, dataset_id: int, category_id: int) -> Category:
        dataset = policy.dataset_for(request.user, dataset_id)
        category = get_object_or_404(
            Category.objects.select_related("axis__dataset").filter(axis__dataset=dataset),
            pk=category_id,
        )
        policy.require(policy.can_edit_dataset(request.user, dataset))
        return category

    @extend_schema(
        request=CategoryChangeIn,
        responses=CategoryOut,
        summary="Rename a category or change its quota (kept in the spec history)",
    )
    def patch(self, request, dataset_id: int, category_id: int):
        category = self._category(request, dataset_id, category_id)
        data = CategoryChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        decision_in(category.axis.dataset, fields)
        category = services.category_update(category=category, by=request.user, **fields)
        return Response(CategoryOut(category).data)

    @extend_schema(
        request=None, responses={204: None, 409: ErrorOut}, summary="Delete a category no item uses"
    )
    def delete(self, request, dataset_id: int, category_id: int):
        category = self._category(request, dataset_id, category_id)
        services.category_delete(category=category, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpecHistoryApi(ListAPIView):
    serializer_class = SpecChangeOut
    pagination_class = None

    @extend_schema(summary="Every spec version: who changed what, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        dataset = policy.dataset_for(self.request.user, self.kwargs["dataset_id"])
        return selectors.spec_history(dataset=dataset)


class SpecCompareApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True, description="The older spec version."),
            OpenApiParameter("to", int, required=True, description="The newer spec version."),
        ],
        responses=SpecCompareOut,
        summary="What was added, removed and changed between two spec versions",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        data = SpecCompareIn(data=request.query_params)
        data.is_valid(raise_exception=True)
        comparison = selectors.spec_compare(
            dataset=dataset,
            from_version=data.validated_data["from"],
            to_version=data.validated_data["to"],
        )
        return Response(SpecCompareOut(comparison).data)


class DecisionListApi(APIView):
    @extend_schema(
        responses=DecisionOut(many=True),
        summary="Requirement decisions: open questions first, each with what it decided",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(DecisionOut(selectors.decision_list(dataset=dataset), many=True).data)

    @extend_schema(
        request=DecisionIn, responses={201: DecisionOut}, summary="Ask the service's owner"
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_create(
            dataset=dataset, question=data.validated_data["question"], by=request.user
        )
        return Response(DecisionOut(decision).data, status=status.HTTP_201_CREATED)


class DecisionDetailApi(APIView):
    @extend_schema(
        request=DecisionAnswerIn,
        responses=DecisionOut,
        summary="Record (or replace) the owner's answer to a decision",
    )
    def patch(self, request, dataset_id: int, decision_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        decision = get_object_or_404(RequirementDecision, dataset=dataset, pk=decision_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = DecisionAnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decision_answer(
            decision=decision, by=request.user, **data.validated_data
        )
        return Response(DecisionOut(decision).data)


class CellQuotaListApi(APIView):
    @extend_schema(
        responses=CellQuotaOut(many=True),
        summary="Quota targets on cells of two categories of different axes",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        cells = selectors.cell_quota_list(dataset=dataset)
        return Response(CellQuotaOut(cells, many=True).data)

    @extend_schema(
        request=CellQuotaIn,
        responses={201: CellQuotaOut},
        summary="Set a cell's quota target (an existing cell is updated)",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = CellQuotaIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        decision_in(dataset, fields)
        cell = services.cell_quota_set(
            dataset=dataset,
            first=selectors.category_get(dataset=dataset, key=fields["first"], field="first"),
            second=selectors.category_get(dataset=dataset, key=fields["second"], field="second"),
            quota_target=fields["quota_target"],
            decision=fields.get("decision"),
            by=request.user,
        )
        return Response(CellQuotaOut(cell).data, status=status.HTTP_201_CREATED)


class CellQuotaDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a cell's quota target")
    def delete(self, request, dataset_id: int, cell_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        cell = get_object_or_404(
            dataset.cell_quotas.select_related("first__axis", "second__axis"), pk=cell_id
        )
        policy.require(policy.can_edit_dataset(request.user, dataset))
        services.cell_quota_delete(cell=cell, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
