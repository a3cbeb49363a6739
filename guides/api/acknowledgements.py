"""The API of acknowledgements, the gate and quizzes.

Another vendor's guide (and everything under it) is a 404; visible but not allowed is a 403.
A quiz's answer key (``correct``) is in no answer to its takers before their attempt is
submitted: only the planners' draft quiz carries it.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.schema import ErrorOut
from guides import policy, services
from guides.models import Acknowledgement, Guide, GuideVersion, QuizAttempt, QuizQuestion
from guides.selectors import acknowledgements as selectors

# --- serializers ------------------------------------------------------------------------


class AcknowledgeIn(serializers.Serializer):
    version = serializers.JSONField(help_text="The number of the published version read.")


class AcknowledgementOut(serializers.ModelSerializer):
    guide = serializers.IntegerField(source="version.guide_id")
    version = serializers.IntegerField(source="version.number")
    user = serializers.CharField(source="user.username")

    class Meta:
        model = Acknowledgement
        fields = ["id", "guide", "version", "user", "at"]


class GateNeedOut(serializers.Serializer):
    guide = serializers.IntegerField(source="version.guide_id")
    version = serializers.IntegerField(source="version.number")
    reason = serializers.ChoiceField(choices=["acknowledge", "quiz"])
    url = serializers.CharField(help_text="The version's page.")
    message = serializers.CharField()


class GateOut(serializers.Serializer):
    ready = serializers.BooleanField(help_text="True: nothing stands before a new task.")
    needs = GateNeedOut(many=True)


class AttemptOut(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    user = serializers.CharField(source="user.username")

    class Meta:
        model = QuizAttempt
        fields = ["id", "version", "user", "score", "passed", "at"]


class PersonOut(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        source="acknowledgement.version.number", default=None, allow_null=True
    )
    acknowledged_at = serializers.DateTimeField(
        source="acknowledgement.at", default=None, allow_null=True
    )
    current = serializers.BooleanField(help_text="Acknowledged the required version or later.")
    quiz_score = serializers.IntegerField(source="attempt.score", default=None, allow_null=True)
    quiz_passed = serializers.BooleanField(source="attempt.passed", default=None, allow_null=True)
    attempts = serializers.IntegerField()

    def get_name(self, person) -> str:
        return person.user.get_full_name() or person.user.username


class VendorBoardOut(serializers.Serializer):
    id = serializers.IntegerField(source="vendor.pk")
    name = serializers.CharField(source="vendor.name")
    acknowledged = serializers.IntegerField(help_text="How many acknowledged the required one.")
    annotators = serializers.SerializerMethodField()
    people = PersonOut(many=True)

    def get_annotators(self, row) -> int:
        return len(row.people)


class BoardOut(serializers.Serializer):
    guide = serializers.IntegerField(source="guide.pk")
    required_version = serializers.IntegerField(
        source="required.number", default=None, allow_null=True
    )
    vendors = VendorBoardOut(many=True)


class QuizQuestionOut(serializers.Serializer):
    """A question as its takers see it: no right choice."""

    id = serializers.IntegerField()
    prompt = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    example = serializers.IntegerField(source="example.pk", default=None, allow_null=True)


class QuizOut(serializers.Serializer):
    guide = serializers.IntegerField()
    version = serializers.IntegerField()
    pass_score = serializers.IntegerField(allow_null=True, help_text="Null: no quiz.")
    questions = QuizQuestionOut(many=True)


class AttemptIn(serializers.Serializer):
    answers = serializers.JSONField(
        help_text='{"<question id>": <index of the chosen choice, 0 = the first>, …}'
    )


class ResultOut(serializers.Serializer):
    id = serializers.IntegerField()
    chosen = serializers.IntegerField()
    correct = serializers.IntegerField(help_text="Given only once the attempt is submitted.")
    right = serializers.BooleanField()


class AttemptResultOut(AttemptOut):
    results = serializers.SerializerMethodField()

    class Meta(AttemptOut.Meta):
        fields = [*AttemptOut.Meta.fields, "results"]

    @extend_schema_field(ResultOut(many=True))
    def get_results(self, attempt) -> list[dict]:
        return [
            {key: row[key] for key in ("id", "chosen", "correct", "right")}
            for row in selectors.attempt_results(attempt)
        ]


class DraftQuestionOut(serializers.ModelSerializer):
    """A draft question with its right choice: for the planners who write it."""

    class Meta:
        model = QuizQuestion
        fields = ["id", "prompt", "choices", "correct", "example", "position"]


class DraftQuizOut(serializers.Serializer):
    guide = serializers.IntegerField(source="pk")
    pass_score = serializers.IntegerField(source="draft_pass_score", allow_null=True)
    questions = serializers.SerializerMethodField()

    def get_questions(self, guide) -> list[dict]:
        draft = guide.quiz_questions.filter(version__isnull=True).order_by("position", "pk")
        return DraftQuestionOut(draft, many=True).data


class DraftQuizIn(serializers.Serializer):
    pass_score = serializers.JSONField(help_text="1–100, or null: the next version has no quiz.")


class DraftQuestionIn(serializers.Serializer):
    prompt = serializers.JSONField()
    choices = serializers.JSONField(help_text="Two to eight texts.")
    correct = serializers.JSONField(help_text="The index of the right choice, 0 = the first.")
    example = serializers.JSONField(required=False, default=None, help_text="An example's id.")


def _required(data: dict, *names: str) -> None:
    missing = {name: _("This field is required.") for name in names if name not in data}
    if missing:
        raise DomainError(
            _("Some fields are invalid: %(names)s.") % {"names": ", ".join(sorted(missing))},
            fields=missing,
        )


# --- acknowledgements and the gate --------------------------------------------------------


class AcknowledgementListApi(APIView):
    @extend_schema(responses=BoardOut, summary="Who acknowledged which version, per vendor")
    def get(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_see_acknowledgements(request.user))
        scope = policy.acknowledgement_vendor_scope(request.user)
        return Response(BoardOut(selectors.acknowledgement_board(guide=guide, vendor=scope)).data)

    @extend_schema(
        request=AcknowledgeIn,
        responses={201: AcknowledgementOut, 400: ErrorOut},
        summary="Acknowledge a published version (again: harmless); the draft is a 400",
    )
    def post(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_acknowledge(request.user))
        version = services.published_version(guide=guide, number=request.data.get("version"))
        ack = services.acknowledgement_record(version=version, user=request.user)
        return Response(AcknowledgementOut(ack).data, status=status.HTTP_201_CREATED)


class GateApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.INT, required=True),
            OpenApiParameter("task_kind", OpenApiTypes.INT, required=False),
        ],
        responses=GateOut,
        summary="Whether you may take a new task of a dataset (and task kind), and what first",
    )
    def get(self, request):
        policy.require(policy.can_acknowledge(request.user))
        fields = {}
        dataset = request.query_params.get("dataset", "")
        task_kind = request.query_params.get("task_kind", "")
        if not dataset.isdigit():
            fields["dataset"] = _("Give the dataset's id.")
        if task_kind and not task_kind.isdigit():
            fields["task_kind"] = _("A task kind's id is a number.")
        if fields:
            raise DomainError(
                _("Some fields are invalid: %(names)s.") % {"names": ", ".join(sorted(fields))},
                fields=fields,
            )
        if not policy.gate_datasets_for(request.user).filter(dataset_id=int(dataset)).exists():
            raise Http404
        needs = services.guide_gate(
            user=request.user,
            dataset_id=int(dataset),
            task_kind_id=int(task_kind) if task_kind else None,
        )
        return Response(GateOut({"ready": not needs, "needs": needs}).data)


# --- quizzes ------------------------------------------------------------------------------


def _version(request, guide_id: int, number: int) -> tuple[Guide, GuideVersion]:
    guide = policy.guide_for(request.user, guide_id)
    return guide, get_object_or_404(guide.versions, number=number)


class QuizApi(APIView):
    @extend_schema(responses=QuizOut, summary="A version's quiz as its takers see it (no key)")
    def get(self, request, guide_id: int, number: int):
        guide, version = _version(request, guide_id, number)
        questions = selectors.quiz_for_takers(version) if version.pass_score is not None else []
        body = {
            "guide": guide.pk,
            "version": version.number,
            "pass_score": version.pass_score if questions else None,
            "questions": questions,
        }
        return Response(QuizOut(body).data)


class AttemptListApi(APIView):
    @extend_schema(
        responses=AttemptOut(many=True),
        summary="Attempts at a version's quiz: planners all, a vendor manager their people's",
    )
    def get(self, request, guide_id: int, number: int):
        _guide, version = _version(request, guide_id, number)
        policy.require(
            policy.can_see_acknowledgements(request.user) or policy.can_acknowledge(request.user)
        )
        attempts = selectors.attempt_list(user=request.user, version=version)
        return Response(AttemptOut(attempts.select_related("version"), many=True).data)

    @extend_schema(
        request=AttemptIn,
        responses={201: AttemptResultOut, 400: ErrorOut},
        summary="Submit answers: scored and recorded; the answer key comes back only now",
    )
    def post(self, request, guide_id: int, number: int):
        _guide, version = _version(request, guide_id, number)
        policy.require(policy.can_acknowledge(request.user))
        _required(request.data, "answers")
        attempt = services.quiz_attempt_submit(
            version=version, user=request.user, answers=request.data["answers"]
        )
        return Response(AttemptResultOut(attempt).data, status=status.HTTP_201_CREATED)


def _draft_guide(request, guide_id: int) -> Guide:
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_edit_guides(request.user))
    return guide


class DraftQuizApi(APIView):
    @extend_schema(responses=DraftQuizOut, summary="The draft's quiz, with its answer key")
    def get(self, request, guide_id: int):
        return Response(DraftQuizOut(_draft_guide(request, guide_id)).data)

    @extend_schema(
        request=DraftQuizIn,
        responses={200: DraftQuizOut, 400: ErrorOut},
        summary="Set the next version's pass score (null: no quiz)",
    )
    def patch(self, request, guide_id: int):
        guide = _draft_guide(request, guide_id)
        _required(request.data, "pass_score")
        guide = services.quiz_pass_score_set(
            guide=guide, pass_score=request.data["pass_score"], by=request.user
        )
        return Response(DraftQuizOut(guide).data)


class DraftQuestionListApi(APIView):
    @extend_schema(
        request=DraftQuestionIn,
        responses={201: DraftQuestionOut, 400: ErrorOut},
        summary="Add a question to the draft's quiz",
    )
    def post(self, request, guide_id: int):
        guide = _draft_guide(request, guide_id)
        _required(request.data, "prompt", "choices", "correct")
        question = services.quiz_question_add(
            guide=guide,
            prompt=request.data["prompt"],
            choices=request.data["choices"],
            correct=request.data["correct"],
            example_id=request.data.get("example"),
            by=request.user,
        )
        return Response(DraftQuestionOut(question).data, status=status.HTTP_201_CREATED)


class DraftQuestionDetailApi(APIView):
    @extend_schema(responses={204: None}, summary="Remove a question from the draft's quiz")
    def delete(self, request, guide_id: int, quiz_question_id: int):
        guide = policy.guide_for(request.user, guide_id)
        draft = guide.quiz_questions.filter(version__isnull=True)
        question = get_object_or_404(draft, pk=quiz_question_id)
        policy.require(policy.can_edit_guides(request.user))
        services.quiz_question_delete(question=question, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("guides/gate/", GateApi.as_view(), name="gate"),
    path(
        "guides/<int:guide_id>/acknowledgements/",
        AcknowledgementListApi.as_view(),
        name="acknowledgement-list",
    ),
    path("guides/<int:guide_id>/quiz/", DraftQuizApi.as_view(), name="draft-quiz"),
    path(
        "guides/<int:guide_id>/quiz/questions/",
        DraftQuestionListApi.as_view(),
        name="draft-question-list",
    ),
    path(
        "guides/<int:guide_id>/quiz/questions/<int:quiz_question_id>/",
        DraftQuestionDetailApi.as_view(),
        name="draft-question-detail",
    ),
    path("guides/<int:guide_id>/versions/<int:number>/quiz/", QuizApi.as_view(), name="quiz"),
    path(
        "guides/<int:guide_id>/versions/<int:number>/quiz/attempts/",
        AttemptListApi.as_view(),
        name="attempt-list",
    ),
]
