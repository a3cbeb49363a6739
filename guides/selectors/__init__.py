"""The guides app's reads."""

from guides.selectors.acknowledgements import version_notices
from guides.selectors.questions import question_notices

__all__ = ["guide_notices", "question_notices", "version_notices"]


def guide_notices(user) -> list[dict]:
    """What the page shell shows a signed-in user: ``[{"label", "url", "count"}, …]`` —
    unanswered questions for planners; new versions to acknowledge and new answers for a
    vendor's people. Empty for everybody else."""
    if not user.is_authenticated:
        return []
    return [*version_notices(user), *question_notices(user)]
