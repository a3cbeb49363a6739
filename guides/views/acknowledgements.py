"""Acknowledgements and quizzes: an annotator acknowledges a version and takes its quiz; the
planner writes the draft's quiz and sees who acknowledged which version, per vendor (a vendor
manager sees their own vendor's people only).

Another vendor's guide is not found (404); visible but not allowed is a 403; a refused write
shows its reason with a 4xx and changes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from guides import policy, services
from guides.models import Guide, GuideVersion
from guides.selectors import acknowledgements as selectors

# --- acknowledging ------------------------------------------------------------------------


def _next_url(request, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


@login_required
@require_POST
def version_acknowledge(request, guide_id: int):
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_acknowledge(request.user))
    try:
        version = services.published_version(guide=guide, number=request.POST.get("version"))
        services.acknowledgement_record(version=version, user=request.user)
    except DomainError as error:
        context = {"guide": guide, "message": error.message}
        return render(request, "guides/ack_refused.html", context, status=error.status)
    messages.success(
        request,
        _("You acknowledged “%(title)s” v%(number)s.")
        % {"title": guide.title, "number": version.number},
    )
    fallback = reverse("guides:version-detail", args=[guide.pk, version.number])
    return redirect(_next_url(request, fallback))


# --- who acknowledged which version -------------------------------------------------------


@login_required
@require_safe
def acknowledgement_board(request, guide_id: int):
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_see_acknowledgements(request.user))
    scope = policy.acknowledgement_vendor_scope(request.user)
    board = selectors.acknowledgement_board(guide=guide, vendor=scope)
    return render(request, "guides/ack_board.html", {"guide": guide, "board": board})


# --- taking a quiz ------------------------------------------------------------------------


def _version(request, guide_id: int, number: int) -> tuple[Guide, GuideVersion]:
    guide = policy.guide_for(request.user, guide_id)
    return guide, get_object_or_404(guide.versions, number=number)


def _quiz_context(request, guide, version) -> dict:
    user = request.user
    context = {
        "guide": guide,
        "version": version,
        "has_quiz": version.pass_score is not None and version.quiz_questions.exists(),
        "can_take": policy.can_acknowledge(user),
        "questions": selectors.quiz_for_takers(version),
        "state": selectors.version_state(user=user, version=version),
    }
    if policy.can_see_acknowledgements(user):
        context["attempts"] = selectors.attempt_list(user=user, version=version)
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_take(request, guide_id: int, number: int):
    guide, version = _version(request, guide_id, number)
    context = _quiz_context(request, guide, version)
    if request.method == "POST":
        policy.require(context["can_take"])
        answers = {
            str(question["id"]): request.POST.get(f"q{question['id']}", "")
            for question in context["questions"]
        }
        try:
            attempt = services.quiz_attempt_submit(
                version=version, user=request.user, answers=answers
            )
        except DomainError as error:
            for question in context["questions"]:
                picked = answers[str(question["id"])]
                question["picked"] = int(picked) if picked.isdigit() else None
                question["missing"] = f"answers.{question['id']}" in error.fields
            context["error"] = error.message
            return render(request, "guides/quiz_take.html", context, status=error.status)
        url = reverse("guides:quiz-take", args=[guide.pk, version.number])
        return redirect(f"{url}?attempt={attempt.pk}")
    attempt_id = request.GET.get("attempt", "")
    if attempt_id:
        mine = policy.attempts_visible_to(request.user).filter(user=request.user, version=version)
        attempt = get_object_or_404(mine, pk=attempt_id) if attempt_id.isdigit() else None
        if attempt is None:
            return render(request, "404.html", status=404)
        context.update(attempt=attempt, results=selectors.attempt_results(attempt))
    return render(request, "guides/quiz_take.html", context)


# --- writing the draft's quiz -------------------------------------------------------------


class QuizQuestionForm(forms.Form):
    prompt = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=500,
        help_text=gettext_lazy("For example: is this box right?"),
    )
    example = forms.TypedChoiceField(
        label=gettext_lazy("Example shown with it"), coerce=int, required=False, empty_value=None
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One choice a line, two to eight."),
    )
    correct = forms.IntegerField(
        label=gettext_lazy("Number of the right choice"),
        min_value=1,
        help_text=gettext_lazy("1 is the first line. Annotators never see it before they submit."),
    )

    def __init__(self, *args, guide: Guide, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["example"].choices = [("", _("No example"))] + [
            (example.pk, f"{example.get_verdict_display()}: {example.caption}")
            for example in guide.examples.all()
        ]


class PassScoreForm(forms.Form):
    pass_score = forms.IntegerField(
        label=gettext_lazy("Pass score (%)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=gettext_lazy("Empty: the next version has no quiz."),
    )


def _editor(request, guide, *, question_form=None, score_form=None, status=200):
    context = {
        "guide": guide,
        "questions": guide.quiz_questions.filter(version__isnull=True)
        .select_related("example")
        .order_by("position", "pk"),
        "question_form": question_form or QuizQuestionForm(guide=guide),
        "score_form": score_form or PassScoreForm(initial={"pass_score": guide.draft_pass_score}),
    }
    return render(request, "guides/quiz_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quiz_edit(request, guide_id: int):
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_edit_guides(request.user))
    if request.method != "POST":
        return _editor(request, guide)
    action = request.POST.get("action")
    if action == "add":
        form = QuizQuestionForm(request.POST, guide=guide)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.quiz_question_add(
                    guide=guide,
                    prompt=data["prompt"],
                    choices=data["choices"].splitlines(),
                    correct=data["correct"] - 1,
                    example_id=data["example"],
                    by=request.user,
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The question was added to the draft's quiz."))
                return redirect("guides:quiz-edit", guide.pk)
        return _editor(request, guide, question_form=form, status=400)
    if action == "pass_score":
        form = PassScoreForm(request.POST)
        if form.is_valid():
            try:
                services.quiz_pass_score_set(
                    guide=guide, pass_score=form.cleaned_data["pass_score"], by=request.user
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("The pass score was saved."))
                return redirect("guides:quiz-edit", guide.pk)
        return _editor(request, guide, score_form=form, status=400)
    if action == "delete":
        question_id = request.POST.get("question", "")
        draft = guide.quiz_questions.filter(version__isnull=True)
        question = draft.filter(pk=question_id).first() if question_id.isdigit() else None
        if question is not None:
            services.quiz_question_delete(question=question, by=request.user)
            messages.success(request, _("The question was removed from the draft's quiz."))
            return redirect("guides:quiz-edit", guide.pk)
    messages.error(request, _("Nothing was changed: choose what to do."))
    return _editor(request, guide, status=400)


urlpatterns = [
    path("<int:guide_id>/acknowledge/", version_acknowledge, name="version-acknowledge"),
    path("<int:guide_id>/acknowledgements/", acknowledgement_board, name="acknowledgement-board"),
    path("<int:guide_id>/v<int:number>/quiz/", quiz_take, name="quiz-take"),
    path("<int:guide_id>/quiz/", quiz_edit, name="quiz-edit"),
]
