"""Question pages: a guide's questions (and asking one), one question with the planners'
actions, the planners' inbox, the pinned crop, and the FAQ with its search.

The pages call the same policy and services as the API: another vendor's question is a 404,
an action the role may not take a 403, a refused write re-renders the page with the reason
beside its field and changes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from guides import policy, services
from guides.models import QUESTION_LIMIT, FaqEntry, Guide, Question
from guides.selectors.questions import (
    faq_list,
    faq_search,
    guide_question_list,
    inbox_list,
    question_status_text,
    with_asked,
)
from vendors.policy import vendor_of

# --- forms ------------------------------------------------------------------------------


def section_choices(guide: Guide) -> list[tuple[str, str]]:
    """The latest version's sections, for a question or a FAQ entry to name."""
    latest = guide.versions.order_by("-number").first()
    sections = latest.sections if latest else []
    return [("", _("The whole guide"))] + [(s["anchor"], s["title"]) for s in sections]


class AskForm(forms.Form):
    anchor = forms.ChoiceField(label=gettext_lazy("Section"), required=False)
    body = forms.CharField(
        label=gettext_lazy("Your question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Planners answer it; only your vendor and the planners see who asked."
        ),
        strip=False,
    )

    def __init__(self, guide: Guide, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = section_choices(guide)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Private: only the asker's vendor reads it on their question."),
        strip=False,
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=gettext_lazy("Same question as"), coerce=int)

    def __init__(self, question: Question, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = (
            Question.objects.filter(guide_id=question.guide_id)
            .exclude(pk=question.pk)
            .exclude(status=Question.Status.MERGED)
            .order_by("-asked_at")[:100]
        )
        self.fields["into"].choices = [(q.pk, f"#{q.pk} {q.body[:80]}") for q in others]


class FaqForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Question as the FAQ shows it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Every annotator of the dataset reads this: reword it freely."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer as the FAQ shows it"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    anchor = forms.ChoiceField(label=gettext_lazy("Section"), required=False)

    def __init__(self, guide: Guide, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = section_choices(guide)


class InboxFilterForm(forms.Form):
    dataset = forms.TypedChoiceField(
        label=gettext_lazy("Dataset"), required=False, coerce=int, empty_value=None
    )
    guide = forms.TypedChoiceField(
        label=gettext_lazy("Guide"), required=False, coerce=int, empty_value=None
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=[
            ("age", gettext_lazy("Oldest first")),
            ("asked", gettext_lazy("Most asked first")),
        ],
    )

    def __init__(self, guides, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guides = list(guides)
        datasets = {guide.dataset_id: guide.dataset.name for guide in guides}
        self.fields["dataset"].choices = [("", _("Every dataset"))] + sorted(
            datasets.items(), key=lambda pair: pair[1]
        )
        self.fields["guide"].choices = [("", _("Every guide"))] + [
            (guide.pk, guide.title) for guide in guides
        ]


class FaqSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search the FAQ"), required=False, max_length=QUESTION_LIMIT
    )


# --- helpers ----------------------------------------------------------------------------


def _question(request, guide_id: int, question_id: int) -> tuple[Guide, Question]:
    guide = policy.guide_for(request.user, guide_id)
    question = get_object_or_404(
        with_asked(policy.questions_visible_to(request.user).filter(guide=guide)).select_related(
            "vendor", "asked_by", "merged_into", "decision", "item"
        ),
        pk=question_id,
    )
    return guide, question


def _detail_url(question: Question) -> str:
    return reverse("guides:question-detail", args=[question.guide_id, question.pk])


def _render_detail(request, guide: Guide, question: Question, *, status: int = 200, **bound):
    user = request.user
    planner = policy.can_answer(user)
    context = {
        "guide": guide,
        "question": question,
        "status_text": question_status_text(question),
        "show_asker": policy.can_see_asker(user, question),
        "show_crop": bool(question.crop) and policy.can_see_pinned_image(user, question),
        "can_answer": planner,
        "can_me_too": question.status == Question.Status.OPEN
        and question.asked_by_id != user.pk
        and policy.can_ask(user, guide),
        "me_too_given": question.me_too.filter(user=user).exists(),
        "section_title": dict(section_choices(guide)).get(question.anchor, ""),
        "faq_entries": question.faq_entries.all() if planner else [],
    }
    if planner:
        context["answer_form"] = bound.get("answer_form") or AnswerForm(
            initial={"answer": question.answer}, auto_id="answer-%s"
        )
        context["merge_form"] = bound.get("merge_form") or MergeForm(question, auto_id="merge-%s")
        context["faq_form"] = bound.get("faq_form") or FaqForm(
            guide,
            initial={
                "question": question.body,
                "answer": question.answer,
                "anchor": question.anchor,
            },
            auto_id="faq-%s",
        )
    return render(request, "guides/question_detail.html", context, status=status)


def _render_list(request, guide: Guide, *, status: int = 200, form=None):
    questions = guide_question_list(visible=policy.questions_visible_to(request.user), guide=guide)
    context = {
        "guide": guide,
        "questions": [
            {"question": q, "status_text": question_status_text(q)} for q in questions[:200]
        ],
        "ask_form": form,
        "can_answer": policy.can_answer(request.user),
    }
    return render(request, "guides/question_list.html", context, status=status)


# --- pages ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_list(request, guide_id: int):
    """A guide's questions as the user may see them; a vendor's members ask here (the guide
    page's ask panel posts here too)."""
    guide = policy.guide_for(request.user, guide_id)
    if request.method != "POST":
        return _render_list(request, guide)
    policy.require(policy.can_ask(request.user, guide))
    form = AskForm(guide, request.POST, auto_id="ask-%s")
    if not form.is_valid():
        return _render_list(request, guide, status=400, form=form)
    try:
        question = services.question_ask(
            guide=guide,
            user=request.user,
            body=form.cleaned_data["body"],
            anchor=form.cleaned_data["anchor"],
        )
    except DomainError as error:
        show_refusal(form, error)
        return _render_list(request, guide, status=error.status, form=form)
    messages.success(request, _("Your question was sent to the planners."))
    return redirect(_detail_url(question))


@login_required
@require_safe
def question_detail(request, guide_id: int, question_id: int):
    guide, question = _question(request, guide_id, question_id)
    if (
        question.answered_at is not None
        and vendor_of(request.user) is not None
        and (question.answer_seen_at is None or question.answer_seen_at < question.answered_at)
    ):
        Question.objects.filter(pk=question.pk).update(answer_seen_at=timezone.now())
    return _render_detail(request, guide, question)


@login_required
@require_safe
def question_crop(request, guide_id: int, question_id: int):
    """The image pinned to a question: its asker's vendor and the planners."""
    _guide, question = _question(request, guide_id, question_id)
    if not question.crop:
        raise Http404
    policy.require(policy.can_see_pinned_image(request.user, question))
    response = FileResponse(question.crop.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _act(request, guide_id: int, question_id: int, *, form_name: str, form, act, done: str):
    """Run one planner action on a question from its page's form."""
    guide, question = _question(request, guide_id, question_id)
    policy.require(policy.can_answer(request.user))
    bound = form(guide, question)
    if bound.is_valid():
        try:
            act(guide, question, bound.cleaned_data)
        except DomainError as error:
            show_refusal(bound, error)
            return _render_detail(
                request, guide, question, status=error.status, **{form_name: bound}
            )
        messages.success(request, done)
        return redirect(_detail_url(question))
    return _render_detail(request, guide, question, status=400, **{form_name: bound})


@login_required
@require_POST
def question_answer(request, guide_id: int, question_id: int):
    return _act(
        request,
        guide_id,
        question_id,
        form_name="answer_form",
        form=lambda guide, q: AnswerForm(request.POST, auto_id="answer-%s"),
        act=lambda guide, q, data: services.question_answer(
            question=q, answer=data["answer"], by=request.user
        ),
        done=_("The answer was sent to the asker's vendor."),
    )


@login_required
@require_POST
def question_merge(request, guide_id: int, question_id: int):
    def merge(guide, question, data):
        into = get_object_or_404(Question, guide=guide, pk=data["into"])
        services.question_merge(question=question, into=into, by=request.user)

    return _act(
        request,
        guide_id,
        question_id,
        form_name="merge_form",
        form=lambda guide, q: MergeForm(q, request.POST, auto_id="merge-%s"),
        act=merge,
        done=_("The question was merged: its askers now count on the other one."),
    )


@login_required
@require_POST
def question_faq(request, guide_id: int, question_id: int):
    return _act(
        request,
        guide_id,
        question_id,
        form_name="faq_form",
        form=lambda guide, q: FaqForm(guide, request.POST, auto_id="faq-%s"),
        act=lambda guide, q, data: services.faq_publish(
            guide=guide,
            question_text=data["question"],
            answer_text=data["answer"],
            anchor=data["anchor"],
            source=q,
            by=request.user,
        ),
        done=_("Published to the FAQ."),
    )


@login_required
@require_POST
def question_me_too(request, guide_id: int, question_id: int):
    guide, question = _question(request, guide_id, question_id)
    policy.require(policy.can_ask(request.user, guide))
    try:
        services.question_me_too(question=question, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Counted: the planners see that you asked this too."))
    return redirect(_detail_url(question))


@login_required
@require_POST
def question_decision(request, guide_id: int, question_id: int):
    _guide, question = _question(request, guide_id, question_id)
    policy.require(policy.can_answer(request.user))
    try:
        question = services.question_to_decision(question=question, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sent to the service's owner as a requirement decision."))
    return redirect(_detail_url(question))


@login_required
@require_safe
def inbox(request):
    """The planners' open questions, by age or by how many asked, per dataset or guide."""
    policy.require(policy.can_answer(request.user))
    guides = policy.guides_visible_to(request.user).select_related("dataset")
    form = InboxFilterForm(guides, request.GET or None, auto_id="inbox-%s")
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    questions = inbox_list(
        visible=policy.questions_visible_to(request.user),
        dataset_id=filters.get("dataset"),
        guide_id=filters.get("guide"),
        order=filters.get("order") or "age",
    )
    context = {"form": form, "questions": list(questions[:200])}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "guides/inbox.html", context, status=status)


@login_required
@require_safe
def faq(request, guide_id: int):
    """A guide's FAQ with its search (Korean words found inside longer words)."""
    guide = policy.guide_for(request.user, guide_id)
    form = FaqSearchForm(request.GET or None, auto_id="faq-search-%s")
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    entries = faq_search(guide=guide, query=query) if query.strip() else faq_list(guide=guide)
    entries = list(entries[:200])
    titles = dict(section_choices(guide))
    for entry in entries:
        entry.section_title = titles.get(entry.anchor, entry.anchor)
    context = {
        "guide": guide,
        "form": form,
        "query": query,
        "entries": entries,
        "can_promote": policy.can_answer(request.user),
    }
    return render(request, "guides/faq.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def faq_promote(request, guide_id: int, faq_id: int):
    """Quote the entry into the guide's draft, in its section (planners)."""
    guide = policy.guide_for(request.user, guide_id)
    entry = get_object_or_404(FaqEntry, guide=guide, pk=faq_id)
    policy.require(policy.can_answer(request.user))
    try:
        services.faq_promote(entry=entry, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Quoted into the guide's draft: the next version's change note lists it.")
        )
    return redirect(reverse("guides:faq", args=[guide.pk]) + f"#faq-{entry.pk}")


_Q = "<int:guide_id>/questions/<int:question_id>/"

urlpatterns = [
    path("questions/", inbox, name="inbox"),
    path("<int:guide_id>/questions/", question_list, name="question-list"),
    path(_Q, question_detail, name="question-detail"),
    path(f"{_Q}crop/", question_crop, name="question-crop"),
    path(f"{_Q}answer/", question_answer, name="question-answer"),
    path(f"{_Q}merge/", question_merge, name="question-merge"),
    path(f"{_Q}faq/", question_faq, name="question-faq"),
    path(f"{_Q}me-too/", question_me_too, name="question-me-too"),
    path(f"{_Q}decision/", question_decision, name="question-decision"),
    path("<int:guide_id>/faq/", faq, name="faq"),
    path("<int:guide_id>/faq/<int:faq_id>/promote/", faq_promote, name="faq-promote"),
]
