from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import policy, selectors, services
from datasets.serializers import DatasetIn, DatasetOut


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
