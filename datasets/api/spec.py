from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.schema import ErrorOut
from datasets import policy, selectors, services
from datasets.models import Category, Dataset
from datasets.serializers import (
    AxisIn,
    AxisOut,
    CategoryChangeIn,
    CategoryIn,
    CategoryOut,
    DatasetIn,
    DatasetOut,
    SpecChangeOut,
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
        return get_object_or_404(policy.datasets_visible_to(request.user), pk=dataset_id)

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


def _dataset_for(request, dataset_id: int) -> Dataset:
    return get_object_or_404(policy.datasets_visible_to(request.user), pk=dataset_id)


class AxisListApi(APIView):
    @extend_schema(
        responses=AxisOut(many=True),
        summary="The dataset's taxonomy: axes with their categories and quota targets",
    )
    def get(self, request, dataset_id: int):
        dataset = _dataset_for(request, dataset_id)
        return Response(AxisOut(selectors.axis_list(dataset=dataset), many=True).data)

    @extend_schema(request=AxisIn, responses={201: AxisOut}, summary="Add an axis")
    def post(self, request, dataset_id: int):
        dataset = _dataset_for(request, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = AxisIn(data=request.data)
        data.is_valid(raise_exception=True)
        axis = services.axis_create(dataset=dataset, by=request.user, **data.validated_data)
        return Response(AxisOut(axis).data, status=status.HTTP_201_CREATED)


class CategoryListApi(APIView):
    @extend_schema(
        request=CategoryIn,
        responses={201: CategoryOut},
        summary="Add a category with its quota target to an axis",
    )
    def post(self, request, dataset_id: int):
        dataset = _dataset_for(request, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = CategoryIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        axis = dataset.axes.filter(slug=fields.pop("axis")).first()
        if axis is None:
            raise DomainError(
                _("This dataset has no axis “%(slug)s”.") % {"slug": data.validated_data["axis"]},
                code="unknown_axis",
                fields={"axis": _("No such axis.")},
            )
        category = services.category_create(axis=axis, by=request.user, **fields)
        return Response(CategoryOut(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    def _category(self, request, dataset_id: int, category_id: int) -> Category:
        dataset = _dataset_for(request, dataset_id)
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
        category = services.category_update(
            category=category, by=request.user, **data.validated_data
        )
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
        dataset = _dataset_for(self.request, self.kwargs["dataset_id"])
        return selectors.spec_history(dataset=dataset)
