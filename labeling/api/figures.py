"""The annotators' figures over the API: an annotator's own today, and a vendor's per
annotator for its managers and the planners. "Today" is each annotator's own day, in their
time zone (``time_zone`` on /api/v1/me/). Another vendor is a 404; an annotator asking for
their vendor's figures a 403."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling import policy
from labeling.annotator_figures import Figures, annotator_figures, vendor_annotator_figures
from vendors import policy as vendors_policy


class AnnotatorOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class FiguresOut(serializers.Serializer):
    annotator = AnnotatorOut()
    time_zone = serializers.CharField(source="zone", help_text="The zone today is counted in.")
    day = serializers.DateField(help_text="Today in that zone.")
    done = serializers.IntegerField(help_text="Tasks submitted today.")
    released = serializers.IntegerField(help_text="Tasks given back to the pool today.")
    skipped = serializers.IntegerField(help_text="Tasks skipped today.")
    median_active_seconds = serializers.FloatField(
        allow_null=True,
        help_text="Median active time per task submitted today, in seconds; null with none.",
    )


class VendorFiguresOut(serializers.Serializer):
    vendor = serializers.IntegerField()
    annotators = FiguresOut(many=True)


class MyFiguresApi(APIView):
    @extend_schema(
        responses=FiguresOut,
        summary="Your figures today: tasks done, released and skipped, median active time",
    )
    def get(self, request):
        policy.require(policy.can_see_own_figures(request.user))
        return Response(FiguresOut(annotator_figures(annotator=request.user)).data)


class VendorFiguresApi(APIView):
    @extend_schema(
        responses=VendorFiguresOut,
        summary="A vendor's annotators' figures today, each in their own time zone",
    )
    def get(self, request, vendor_id: int):
        vendor = vendors_policy.vendor_for(request.user, vendor_id)
        policy.require(policy.can_see_annotator_figures(request.user, vendor))
        figures: list[Figures] = vendor_annotator_figures(vendor=vendor)
        return Response({"vendor": vendor.pk, "annotators": FiguresOut(figures, many=True).data})
