"""Reads about a guide's examples: in order, by section, drawn, and the image each shows.

An example's image is served by ``guides:example-image`` behind the guide's policy (whoever
may read the guide sees its examples), never by the datasets' item page: an uploaded one is
its attachment's file, an item's is the item's rendition named by the datasets' item-file
helper (``datasets.selectors.item_file``, which still gives a role other than a planner only
files known to carry no metadata).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.files import StoredFile
from datasets.selectors import item_file, regions_overlay
from guides.models import Example, Guide
from guides.rendering import guide_sections


def example_list(guide: Guide) -> QuerySet[Example]:
    """The guide's examples in their order, with the image each shows."""
    return guide.examples.select_related("item", "attachment").order_by("position", "pk")


def example_sections(guide: Guide) -> list[dict[str, str]]:
    """The sections an example may be placed in: the draft's, then those of the latest
    version the draft no longer has (an example placed there still shows there)."""
    sections = guide_sections(guide.draft_body)
    latest = guide.versions.order_by("-number").values_list("sections", flat=True).first()
    known = {section["anchor"] for section in sections}
    return sections + [section for section in latest or [] if section["anchor"] not in known]


def example_drawn(example: Example) -> dict:
    """What a figure of the example needs: image URL and size, the regions to draw over it."""
    image = example.item if example.item_id else example.attachment
    return {
        "example": example,
        "good": example.verdict == Example.Verdict.GOOD,
        "src": reverse("guides:example-image", args=[example.guide_id, example.pk]),
        "width": image.width if image else 0,
        "height": image.height if image else 0,
        "regions": regions_overlay(example.annotation),
    }


def examples_by_section(guide: Guide, sections: list[dict] | None = None) -> list[dict]:
    """The guide's examples drawn and grouped by section, in the sections' order (those of
    ``sections``, by default the draft's and the latest version's): ``[{"anchor", "title",
    "examples": [...]}]``; examples in no section, or in one the list lacks, come last
    under an empty anchor."""
    sections = example_sections(guide) if sections is None else sections
    groups = {section["anchor"]: {**section, "examples": []} for section in sections}
    rest = {"anchor": "", "title": _("Other examples"), "examples": []}
    for example in example_list(guide):
        groups.get(example.anchor, rest)["examples"].append(example_drawn(example))
    return [group for group in [*groups.values(), rest] if group["examples"]]


def example_image_file(*, example: Example, user: User) -> StoredFile:
    """The file an example shows ``user``, who may read its guide."""
    if example.item_id:
        return item_file(item=example.item, kind="rendition", user=user)
    attachment = example.attachment
    extension = attachment.file.name.rsplit(".", 1)[-1]
    return StoredFile(
        name=attachment.file.name,
        content_type=attachment.content_type,
        filename=f"example-{example.pk}.{extension}",
    )
