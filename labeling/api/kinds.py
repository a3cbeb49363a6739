"""Task kinds over the API: region types by slug, attributes as "type.name" (or the bare
name when one edited type has it), the precondition as the slugs of the types it needs."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from datasets.models import AttributeDef, Dataset, RegionType
from labeling import policy, selectors, services
from labeling.models import TaskKind


class TaskKindOut(serializers.ModelSerializer):
    types = serializers.SerializerMethodField()
    attributes = serializers.SerializerMethodField()
    requires = serializers.SerializerMethodField()
    words = serializers.SerializerMethodField()

    class Meta:
        model = TaskKind
        fields = ["id", "dataset", "name", "slug", "description", "types", "attributes",
                  "requires", "words", "created_at"]  # fmt: skip

    def get_types(self, kind: TaskKind) -> list[str]:
        return [t.slug for t in kind.types.all()]

    def get_attributes(self, kind: TaskKind) -> list[str]:
        return [f"{a.region_type.slug}.{a.name}" for a in kind.attributes.all()]

    def get_requires(self, kind: TaskKind) -> list[str]:
        return [t.slug for t in kind.requires.all()]

    def get_words(self, kind: TaskKind) -> str:
        return selectors.task_kind_words(kind)


class TaskKindIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    types = serializers.ListField(child=serializers.SlugField(max_length=50), min_length=1)
    attributes = serializers.ListField(
        child=serializers.CharField(max_length=101), required=False, default=list
    )
    requires = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, default=list
    )


class TaskKindChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    types = serializers.ListField(child=serializers.SlugField(max_length=50), required=False)
    attributes = serializers.ListField(child=serializers.CharField(max_length=101), required=False)
    requires = serializers.ListField(child=serializers.SlugField(max_length=50), required=False)


def _types(dataset: Dataset, slugs: list[str], field: str) -> list[RegionType]:
    found = {t.slug: t for t in RegionType.objects.filter(dataset=dataset, slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            message = _("The label schema has no region type “%(slug)s”.") % {"slug": slug}
            raise DomainError(message, code="unknown_type", fields={field: message})
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _attributes(types: list[RegionType], names: list[str]) -> list[AttributeDef]:
    known = list(AttributeDef.objects.filter(region_type__in=types).select_related("region_type"))
    chosen = []
    for name in dict.fromkeys(names):
        type_slug, _dot, attr = name.rpartition(".")
        matches = [
            a
            for a in known
            if a.name == attr and (not type_slug or a.region_type.slug == type_slug)
        ]
        if len(matches) != 1:
            message = (
                _("No region type this kind edits has the attribute “%(name)s”.")
                if not matches
                else _("Say which type's “%(name)s”: write type.attribute.")
            ) % {"name": name}
            raise DomainError(message, code="unknown_attribute", fields={"attributes": message})
        chosen.append(matches[0])
    return chosen


def _kinds(dataset: Dataset, user):
    return selectors.task_kind_list(
        kinds=policy.task_kinds_visible_to(user).filter(dataset=dataset)
    )


class TaskKindListApi(APIView):
    @extend_schema(responses=TaskKindOut(many=True), summary="A dataset's task kinds")
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(TaskKindOut(_kinds(dataset, request.user), many=True).data)

    @extend_schema(request=TaskKindIn, responses={201: TaskKindOut}, summary="Define a task kind")
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_cut_batches(request.user))
        data = TaskKindIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        types = _types(dataset, fields["types"], "types")
        kind = services.task_kind_create(
            dataset=dataset,
            name=fields["name"],
            slug=fields["slug"],
            description=fields["description"],
            types=types,
            attributes=_attributes(types, fields["attributes"]),
            requires=_types(dataset, fields["requires"], "requires"),
            by=request.user,
        )
        kind = _kinds(dataset, request.user).get(pk=kind.pk)
        return Response(TaskKindOut(kind).data, status=status.HTTP_201_CREATED)


class TaskKindDetailApi(APIView):
    def _kind(self, request, dataset_id: int, kind_id: int) -> TaskKind:
        dataset = policy.dataset_for(request.user, dataset_id)
        return get_object_or_404(_kinds(dataset, request.user), pk=kind_id)

    @extend_schema(responses=TaskKindOut, summary="One task kind")
    def get(self, request, dataset_id: int, kind_id: int):
        return Response(TaskKindOut(self._kind(request, dataset_id, kind_id)).data)

    @extend_schema(
        request=TaskKindChangeIn,
        responses=TaskKindOut,
        summary="Rename or describe a task kind; its types only until a batch exists",
    )
    def patch(self, request, dataset_id: int, kind_id: int):
        kind = self._kind(request, dataset_id, kind_id)
        policy.require(policy.can_cut_batches(request.user))
        data = TaskKindChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        dataset = kind.dataset
        if "types" in fields:
            fields["types"] = _types(dataset, fields["types"], "types")
        if "requires" in fields:
            fields["requires"] = _types(dataset, fields["requires"], "requires")
        if "attributes" in fields:
            edited = fields.get("types") or list(kind.types.all())
            fields["attributes"] = _attributes(edited, fields["attributes"])
        services.task_kind_update(kind=kind, by=request.user, **fields)
        kind = _kinds(dataset, request.user).get(pk=kind.pk)
        return Response(TaskKindOut(kind).data)
