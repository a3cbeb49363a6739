"""What the labeling tool reads beside the task: the label schema, the taxonomy, the item's
categories and the guides it is labeled under. Whoever may read the task may read this;
anyone else gets a 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from labeling import policy, selectors


class ToolAttributeOut(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField(help_text="text, latex, boolean, choice or angle")
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())


class ToolTypeOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    top_level = serializers.BooleanField()
    parents = serializers.ListField(child=serializers.CharField())
    attributes = ToolAttributeOut(many=True)


class ToolCategoryOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ToolAxisOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    categories = ToolCategoryOut(many=True)


class ToolGuideOut(serializers.Serializer):
    guide = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    url = serializers.CharField(help_text="The version's page.")
    questions_url = serializers.CharField(help_text="Ask a question about it (POST).")


class ToolOut(serializers.Serializer):
    dataset = serializers.IntegerField()
    schema = ToolTypeOut(many=True)
    axes = ToolAxisOut(many=True)
    item_categories = serializers.DictField(
        child=serializers.CharField(), help_text="axis → category, as the item stands"
    )
    guides = ToolGuideOut(many=True)
    figures_url = serializers.CharField(help_text="The annotator's own figures for today.")


class TaskToolApi(APIView):
    @extend_schema(
        responses=ToolOut,
        summary="What the labeling tool needs beside the task: schema, categories, guides",
    )
    def get(self, request, task_id: int):
        task = get_object_or_404(
            policy.tasks_readable_by(request.user).select_related("batch__dataset"), pk=task_id
        )
        return Response(selectors.task_tool(task=task))
