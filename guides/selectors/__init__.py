"""The guides app's reads."""

from guides.selectors.acknowledgements import version_notices
from guides.selectors.examples import (
    example_drawn,
    example_image_file,
    example_list,
    example_sections,
    examples_by_section,
)
from guides.selectors.questions import question_notices
from guides.selectors.versions import versions_applying

__all__ = [
    "example_drawn",
    "example_image_file",
    "example_list",
    "example_sections",
    "examples_by_section",
    "guide_notices",
    "question_notices",
    "version_notices",
    "versions_applying",
]


def guide_notices(user) -> list[dict]:
    """What the page shell shows a signed-in user: ``[{"label", "url", "count"}, …]`` —
    unanswered questions for planners; new versions to acknowledge and new answers for a
    vendor's people. Empty for everybody else."""
    if not user.is_authenticated:
        return []
    return [*version_notices(user), *question_notices(user)]
