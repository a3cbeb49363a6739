"""Reads of guides and their versions: the list a user sees, a guide's versions, and the
comparison of two versions line by line (Python's difflib), a changed line with the words
that changed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import User
from guides import policy
from guides.models import Guide, GuideVersion
from guides.services.gate import guide_versions_current


@dataclass
class GuideRow:
    """One line of the guides list."""

    guide: Guide
    latest: GuideVersion | None
    #: The draft differs from the latest published text (or nothing is published yet).
    draft_pending: bool


def guide_list(*, user: User) -> list[GuideRow]:
    """The guides ``user`` may open, by dataset, each with its latest version."""
    guides = list(
        policy.guides_visible_to(user)
        .select_related("dataset", "draft_saved_by")
        .annotate(latest_number=Max("versions__number"))
        .order_by("dataset__name", "dataset_id", "task_kind_id", "id")
    )
    latest = {
        (v.guide_id, v.number): v
        for v in GuideVersion.objects.filter(
            guide__in=[g.pk for g in guides],
            number__in={g.latest_number for g in guides if g.latest_number},
        ).select_related("published_by")
    }
    rows = []
    for guide in guides:
        version = latest.get((guide.pk, guide.latest_number))
        rows.append(
            GuideRow(
                guide=guide,
                latest=version,
                draft_pending=version is None or version.body != guide.draft_body,
            )
        )
    return rows


def version_list(*, guide: Guide) -> QuerySet[GuideVersion]:
    """A guide's published versions, newest first."""
    return guide.versions.select_related("published_by").order_by("-number")


def version_for(*, user: User, guide: Guide, number: int) -> GuideVersion:
    """A published version of a guide the user may open (404 otherwise)."""
    return get_object_or_404(
        policy.versions_visible_to(user).select_related("guide", "published_by"),
        guide=guide,
        number=number,
    )


# --- comparing two versions ------------------------------------------------------------

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class Piece:
    """A run of words of a changed line: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str


@dataclass
class DiffRow:
    """One row of the side-by-side comparison.

    ``kind``: "same", "added" (only on the right), "removed" (only on the left) or
    "changed" (both, with ``left_pieces``/``right_pieces`` marking the words)."""

    kind: str
    left: str | None
    right: str | None
    left_number: int | None
    right_number: int | None
    left_pieces: list[Piece] = field(default_factory=list)
    right_pieces: list[Piece] = field(default_factory=list)


@dataclass
class Comparison:
    rows: list[DiffRow]
    added: int
    removed: int
    changed: int

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _word_pieces(left: str, right: str) -> tuple[list[Piece], list[Piece]]:
    a, b = _WORDS.findall(left), _WORDS.findall(right)
    left_pieces: list[Piece] = []
    right_pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left_pieces.append(Piece("same", "".join(a[i1:i2])))
            right_pieces.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left_pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            right_pieces.append(Piece("added", "".join(b[j1:j2])))
    return left_pieces, right_pieces


def text_compare(left: str, right: str) -> Comparison:
    """Two texts side by side, line by line. Lines replaced one for one are "changed"
    (with their words marked); extra lines of a replaced block are removed or added."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[DiffRow] = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for offset in range(i2 - i1):
                rows.append(
                    DiffRow(
                        "same", a[i1 + offset], b[j1 + offset], i1 + offset + 1, j1 + offset + 1
                    )
                )
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for offset in range(paired):
            old, new = a[i1 + offset], b[j1 + offset]
            left_pieces, right_pieces = _word_pieces(old, new)
            rows.append(
                DiffRow(
                    "changed",
                    old,
                    new,
                    i1 + offset + 1,
                    j1 + offset + 1,
                    left_pieces,
                    right_pieces,
                )
            )
            counts["changed"] += 1
        for index in range(i1 + paired, i2):
            rows.append(DiffRow("removed", a[index], None, index + 1, None))
            counts["removed"] += 1
        for index in range(j1 + paired, j2):
            rows.append(DiffRow("added", None, b[index], None, index + 1))
            counts["added"] += 1
    return Comparison(rows=rows, **counts)


def version_compare(*, left: GuideVersion, right: GuideVersion) -> Comparison:
    """Two versions of one guide side by side."""
    return text_compare(left.body, right.body)


def versions_applying(*, dataset_id: int, task_kind_id: int | None = None) -> list[dict]:
    """The latest published version of each guide a task of this dataset and kind is labeled
    under, for the labeling tool: ``[{"guide", "title", "version", "url", "questions_url"}]``.
    Two queries."""
    ids = guide_versions_current(dataset_id=dataset_id, task_kind_id=task_kind_id)
    versions = GuideVersion.objects.filter(pk__in=ids).select_related("guide")
    return [
        {
            "guide": version.guide_id,
            "title": version.guide.title,
            "version": version.number,
            "url": reverse("guides:version-detail", args=[version.guide_id, version.number]),
            "questions_url": reverse("guides-api:question-list", args=[version.guide_id]),
        }
        for version in sorted(versions, key=lambda v: ids.index(v.pk))
    ]
