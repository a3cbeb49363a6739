"""Writes of requirement decisions: questions put to the service's owner and their answers.

Asking and answering do not change the spec; linking a category or a cell quota to a
decision does (``category_create``/``category_update``/``cell_quota_set`` take ``decision``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset, RequirementDecision


def require_own_decision(dataset: Dataset, decision: RequirementDecision | None) -> None:
    """Refuse a decision of another dataset; no decision (``None``) is always fine."""
    if decision is not None and decision.dataset_id != dataset.pk:
        raise DomainError(
            _("Decision %(id)s does not belong to this dataset.") % {"id": decision.pk},
            code="unknown_decision",
            fields={"decision": _("No such decision in this dataset.")},
        )


@transaction.atomic
def decision_create(
    *,
    dataset: Dataset,
    question: str,
    by: User | None,
    source_url: str = "",
    source_label: str = "",
) -> RequirementDecision:
    """A new open decision. ``source_url``/``source_label`` link back to where another app
    raised the question (a guide question), shown on the decisions page."""
    question = question.strip()
    if not question:
        raise DomainError(
            _("Write the question to put to the service's owner."),
            code="empty_question",
            fields={"question": _("This field may not be blank.")},
        )
    return RequirementDecision.objects.create(
        dataset=dataset,
        question=question,
        asked_by=by,
        source_url=source_url[:300],
        source_label=source_label[:200],
    )


@transaction.atomic
def decision_answer(
    *, decision: RequirementDecision, answer: str, answered_by: str = "", by: User | None
) -> RequirementDecision:
    """Record the owner's answer; answering again replaces it and the decision stays answered.

    ``answered_by`` names who gave the answer (the service owner); when left empty it is the
    person recording it.
    """
    answer = answer.strip()
    if not answer:
        raise DomainError(
            _("The answer to “%(question)s” is empty.") % {"question": str(decision)},
            code="empty_answer",
            fields={"answer": _("This field may not be blank.")},
        )
    decision.answer = answer
    decision.answered_by = answered_by.strip() or (by.get_username() if by else "")
    decision.answered_at = timezone.now()
    decision.save(update_fields=["answer", "answered_by", "answered_at"])
    return decision
