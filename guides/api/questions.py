"""The API of guide questions, their answers and the FAQ.

A vendor's members ask about the guides they read and see their own vendor's questions
(another vendor's are a 404); planners answer, merge, publish to the FAQ, promote an answer
into the draft and send a question to the service's owner (others get a 403). Who asked and
a pinned crop are in a question's answer only for the planners and the asker's vendor; the
FAQ never names either.
"""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.schema import ErrorOut
from guides import policy, selectors, services
from guides.models import QUESTION_LIMIT, FaqEntry, Guide, Question
from guides.selectors.questions import (
    asked_count,
    faq_list,
    faq_search,
    guide_question_list,
    inbox_list,
)

INBOX_LIMIT = 200

# --- serializers ------------------------------------------------------------------------


class QuestionOut(serializers.ModelSerializer):
    asked = serializers.SerializerMethodField()
    asked_by = serializers.SerializerMethodField()
    vendor = serializers.SerializerMethodField()
    crop_url = serializers.SerializerMethodField()
    decision = serializers.IntegerField(source="decision_id", allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    item = serializers.IntegerField(source="item_id", allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "guide",
            "anchor",
            "body",
            "status",
            "asked",
            "asked_by",
            "vendor",
            "item",
            "region_id",
            "crop_url",
            "answer",
            "answered_at",
            "merged_into",
            "decision",
            "asked_at",
            "url",
        ]

    def _user(self):
        return self.context["request"].user

    def get_asked(self, question: Question) -> int:
        asked = getattr(question, "asked", None)
        return asked if asked is not None else asked_count(question)

    def get_asked_by(self, question: Question) -> str | None:
        """Who asked: null unless you are a planner or of the asker's vendor."""
        if question.asked_by is None or not policy.can_see_asker(self._user(), question):
            return None
        return question.asked_by.get_username()

    def get_vendor(self, question: Question) -> str | None:
        if question.vendor is None or not policy.can_see_asker(self._user(), question):
            return None
        return question.vendor.name

    def get_crop_url(self, question: Question) -> str | None:
        if not question.crop or not policy.can_see_pinned_image(self._user(), question):
            return None
        return reverse("guides:question-crop", args=[question.guide_id, question.pk])

    def get_url(self, question: Question) -> str:
        return reverse("guides:question-detail", args=[question.guide_id, question.pk])


class QuestionIn(serializers.Serializer):
    body = serializers.CharField(
        help_text=f"The question, up to {QUESTION_LIMIT} characters.", trim_whitespace=False
    )
    anchor = serializers.CharField(required=False, allow_blank=True, default="")
    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    region_id = serializers.CharField(required=False, allow_blank=True, default="")
    crop = serializers.FileField(required=False, allow_null=True, default=None)


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(trim_whitespace=False)


class MergeIn(serializers.Serializer):
    into = serializers.IntegerField()


class FaqIn(serializers.Serializer):
    question = serializers.CharField(trim_whitespace=False)
    answer = serializers.CharField(trim_whitespace=False)
    anchor = serializers.CharField(required=False, allow_blank=True, default="")


class FaqOut(serializers.ModelSerializer):
    promoted = serializers.SerializerMethodField()

    class Meta:
        model = FaqEntry
        fields = ["id", "guide", "anchor", "question", "answer", "published_at", "promoted"]

    def get_promoted(self, entry: FaqEntry) -> bool:
        return entry.promoted_at is not None


# --- views ------------------------------------------------------------------------------


def _question(request, guide_id: int, question_id: int) -> tuple[Guide, Question]:
    guide = policy.guide_for(request.user, guide_id)
    question = get_object_or_404(
        policy.questions_visible_to(request.user)
        .filter(guide=guide)
        .select_related("guide", "vendor", "asked_by"),
        pk=question_id,
    )
    return guide, question


def _out(request, question: Question, code: int = status.HTTP_200_OK) -> Response:
    question = (
        selectors.questions.with_asked(Question.objects.filter(pk=question.pk))
        .select_related("guide", "vendor", "asked_by")
        .get()
    )
    return Response(QuestionOut(question, context={"request": request}).data, status=code)


class QuestionListApi(APIView):
    @extend_schema(responses=QuestionOut(many=True), summary="A guide's questions you may see")
    def get(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        questions = guide_question_list(
            visible=policy.questions_visible_to(request.user), guide=guide
        )[:INBOX_LIMIT]
        return Response(QuestionOut(questions, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": QuestionIn, "application/json": QuestionIn},
        responses={201: QuestionOut, 400: ErrorOut},
        summary="Ask about a guide (a vendor's members), optionally pinned to an item and crop",
    )
    def post(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_ask(request.user, guide))
        data = QuestionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        question = services.question_ask(
            guide=guide,
            user=request.user,
            body=values["body"],
            anchor=values["anchor"],
            item_id=values["item"],
            region_id=values["region_id"],
            crop=values["crop"],
        )
        return _out(request, question, status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    @extend_schema(responses=QuestionOut, summary="One question")
    def get(self, request, guide_id: int, question_id: int):
        _guide, question = _question(request, guide_id, question_id)
        return _out(request, question)


class QuestionMeTooApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read
        responses={200: QuestionOut, 409: ErrorOut},
        summary="Say you have the same open question (counted once)",
    )
    def post(self, request, guide_id: int, question_id: int):
        guide, question = _question(request, guide_id, question_id)
        policy.require(policy.can_ask(request.user, guide))
        return _out(request, services.question_me_too(question=question, user=request.user))


class QuestionAnswerApi(APIView):
    @extend_schema(
        request=AnswerIn,
        responses={200: QuestionOut, 400: ErrorOut},
        summary="Answer privately: the asker's vendor reads it on their question",
    )
    def post(self, request, guide_id: int, question_id: int):
        _guide, question = _question(request, guide_id, question_id)
        policy.require(policy.can_answer(request.user))
        data = AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_answer(
            question=question, answer=data.validated_data["answer"], by=request.user
        )
        return _out(request, question)


class QuestionMergeApi(APIView):
    @extend_schema(
        request=MergeIn,
        responses={200: QuestionOut, 400: ErrorOut},
        summary="Merge a duplicate into another question of the guide",
    )
    def post(self, request, guide_id: int, question_id: int):
        guide, question = _question(request, guide_id, question_id)
        policy.require(policy.can_answer(request.user))
        data = MergeIn(data=request.data)
        data.is_valid(raise_exception=True)
        into = Question.objects.filter(guide=guide, pk=data.validated_data["into"]).first()
        if into is None:
            message = _("No such question in this guide.")
            raise DomainError(message, code="merge_target", fields={"into": message})
        services.question_merge(question=question, into=into, by=request.user)
        return _out(request, into)


class QuestionFaqApi(APIView):
    @extend_schema(
        request=FaqIn,
        responses={201: FaqOut, 400: ErrorOut},
        summary="Publish the question to the FAQ in the wording given here",
    )
    def post(self, request, guide_id: int, question_id: int):
        guide, question = _question(request, guide_id, question_id)
        policy.require(policy.can_answer(request.user))
        data = FaqIn(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.faq_publish(
            guide=guide,
            question_text=data.validated_data["question"],
            answer_text=data.validated_data["answer"],
            anchor=data.validated_data["anchor"],
            source=question,
            by=request.user,
        )
        return Response(FaqOut(entry).data, status=status.HTTP_201_CREATED)


class QuestionDecisionApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read
        responses={200: QuestionOut, 409: ErrorOut},
        summary="Send the question to the service's owner as a requirement decision",
    )
    def post(self, request, guide_id: int, question_id: int):
        _guide, question = _question(request, guide_id, question_id)
        policy.require(policy.can_answer(request.user))
        return _out(request, services.question_to_decision(question=question, by=request.user))


class InboxApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.INT),
            OpenApiParameter("guide", OpenApiTypes.INT),
            OpenApiParameter("order", OpenApiTypes.STR, enum=["age", "asked"]),
        ],
        responses=QuestionOut(many=True),
        operation_id="guides_inbox",
        summary="The planners' inbox: open questions by age or by how many asked",
    )
    def get(self, request):
        policy.require(policy.can_answer(request.user))
        filters = InboxFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        questions = inbox_list(
            visible=policy.questions_visible_to(request.user),
            dataset_id=filters.validated_data.get("dataset"),
            guide_id=filters.validated_data.get("guide"),
            order=filters.validated_data.get("order") or "age",
        )[:INBOX_LIMIT]
        return Response(QuestionOut(questions, many=True, context={"request": request}).data)


class InboxFilterIn(serializers.Serializer):
    dataset = serializers.IntegerField(required=False)
    guide = serializers.IntegerField(required=False)
    order = serializers.ChoiceField(choices=["age", "asked"], required=False)


class FaqListApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Words to find")],
        responses=FaqOut(many=True),
        summary="A guide's FAQ, searched (Korean included) when q is given",
    )
    def get(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        query = request.query_params.get("q", "")
        if len(query) > QUESTION_LIMIT:
            message = _("A search is limited to %(limit)s characters.") % {"limit": QUESTION_LIMIT}
            raise DomainError(message, code="too_long", fields={"q": message})
        entries = faq_search(guide=guide, query=query) if query.strip() else faq_list(guide=guide)
        return Response(FaqOut(entries[: selectors.questions.FAQ_SEARCH_LIMIT], many=True).data)


class FaqPromoteApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read
        responses={200: FaqOut, 409: ErrorOut},
        summary="Quote a FAQ entry into the guide's draft, in the section it names",
    )
    def post(self, request, guide_id: int, faq_id: int):
        guide = policy.guide_for(request.user, guide_id)
        entry = get_object_or_404(FaqEntry, guide=guide, pk=faq_id)
        policy.require(policy.can_answer(request.user))
        return Response(FaqOut(services.faq_promote(entry=entry, by=request.user)).data)


_Q = "guides/<int:guide_id>/questions/<int:question_id>/"

urlpatterns: list = [
    path("guides/questions/", InboxApi.as_view(), name="inbox"),
    path("guides/<int:guide_id>/questions/", QuestionListApi.as_view(), name="question-list"),
    path(_Q, QuestionDetailApi.as_view(), name="question-detail"),
    path(f"{_Q}me-too/", QuestionMeTooApi.as_view(), name="question-me-too"),
    path(f"{_Q}answer/", QuestionAnswerApi.as_view(), name="question-answer"),
    path(f"{_Q}merge/", QuestionMergeApi.as_view(), name="question-merge"),
    path(f"{_Q}faq/", QuestionFaqApi.as_view(), name="question-faq"),
    path(f"{_Q}decision/", QuestionDecisionApi.as_view(), name="question-decision"),
    path("guides/<int:guide_id>/faq/", FaqListApi.as_view(), name="faq-list"),
    path(
        "guides/<int:guide_id>/faq/<int:faq_id>/promote/",
        FaqPromoteApi.as_view(),
        name="faq-promote",
    ),
]
