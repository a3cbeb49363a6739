"""A guide's examples: items of its dataset, or uploaded images, marked good or bad, each
with a caption and its regions, placed in a section, in order.

The regions drawn over an example are a snapshot taken when they are given: a good item's
from its current ground truth (read when the example is made, so a later change of the
truth never silently changes the guide), otherwise from an uploaded canonical annotation,
held by the datasets' validator against the dataset's schema and the image's size. A bad
annotation is a 400 naming each problem under ``annotation.…``; nothing is saved.
"""

from __future__ import annotations

import json
from typing import IO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Item
from datasets.services import annotation_validate
from guides.models import Example, Guide, QuizQuestion
from guides.selectors.examples import example_sections
from guides.services.attachments import attachment_upload

CAPTION_LIMIT = 500
#: An uploaded annotation's own limit.
ANNOTATION_MAX_BYTES = 1_000_000


def _fail(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: message})


def _caption(caption) -> str:
    caption = (caption or "").strip() if isinstance(caption, str) else ""
    if not caption:
        raise _fail("caption", _("Say what the example shows in a caption."))
    if len(caption) > CAPTION_LIMIT:
        raise _fail(
            "caption",
            _("A caption is limited to %(limit)s characters.") % {"limit": CAPTION_LIMIT},
        )
    return caption


def _verdict(verdict) -> str:
    if verdict not in Example.Verdict.values:
        raise _fail("verdict", _("Mark the example good or bad."))
    return verdict


def _anchor(guide: Guide, anchor) -> str:
    anchor = (anchor or "").strip() if isinstance(anchor, str) else ""
    if anchor and anchor not in {section["anchor"] for section in example_sections(guide)}:
        raise _fail(
            "anchor",
            _("The guide has no section “%(anchor)s”; give its heading {#%(anchor)s} first.")
            % {"anchor": anchor},
            code="unknown_section",
        )
    return anchor


def annotation_read(source) -> dict | None:
    """An uploaded annotation as data: a file of JSON, JSON text, or an already parsed
    object; None when nothing was given. Text that is not JSON is a 400 naming it."""
    if source is None or source == "":
        return None
    if hasattr(source, "read"):
        source = source.read(ANNOTATION_MAX_BYTES + 1)
        if len(source) > ANNOTATION_MAX_BYTES:
            raise _fail(
                "annotation",
                _("An annotation file is limited to %(limit)s bytes.")
                % {"limit": ANNOTATION_MAX_BYTES},
                code="annotation_too_large",
            )
    if isinstance(source, bytes | str):
        try:
            source = json.loads(source)
        except (ValueError, RecursionError) as error:
            raise _fail(
                "annotation",
                _("The annotation is not JSON: %(error)s") % {"error": error},
                code="invalid_annotation",
            ) from None
    return source


def _annotation_check(guide: Guide, annotation, width: int, height: int) -> dict:
    try:
        return annotation_validate(
            dataset=guide.dataset, annotation=annotation, width=width, height=height
        )
    except DomainError as refusal:
        raise DomainError(
            _("The annotation has %(count)s problems; each is named in fields.")
            % {"count": len(refusal.fields)},
            code=refusal.code,
            fields={f"annotation.{field}": message for field, message in refusal.fields.items()},
        ) from None


def _regions(guide: Guide, verdict: str, item: Item | None, annotation, width, height) -> dict:
    if annotation is not None:
        return _annotation_check(guide, annotation, width, height)
    if verdict == Example.Verdict.GOOD and item is not None:
        truth = item.ground_truth
        if truth is None:
            raise _fail(
                "annotation",
                _("Item %(id)s has no ground truth yet: upload the regions to draw as JSON.")
                % {"id": item.pk},
                code="no_ground_truth",
            )
        return {
            "regions": list(truth.annotation.get("regions", [])),
            "categories": dict(truth.annotation.get("categories", {})),
        }
    if verdict == Example.Verdict.BAD:
        message = _("A bad example shows the wrong regions: upload them as annotation JSON.")
    else:
        message = _("Upload the regions to draw over this image as annotation JSON.")
    raise _fail("annotation", message, code="annotation_required")


def _item(guide: Guide, item_id) -> Item:
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise _fail("item", _("An item is named by its number.")) from None
    item = (
        Item.objects.filter(dataset_id=guide.dataset_id, pk=item_id)
        .select_related("ground_truth")
        .first()
    )
    if item is None:
        raise _fail(
            "item",
            _("The dataset has no item %(id)s.") % {"id": item_id},
            code="unknown_item",
        )
    return item


def _image_upload(guide: Guide, image: IO[bytes], name: str, by: User | None):
    """The uploaded image kept as an attachment of the guide; a refusal names ``image``."""
    try:
        return attachment_upload(guide=guide, file=image, name=name, by=by)
    except DomainError as refusal:
        raise DomainError(
            refusal.message,
            code=refusal.code,
            status=refusal.status,
            fields={"image": refusal.message},
        ) from None


@transaction.atomic
def example_create(
    *,
    guide: Guide,
    verdict: str,
    caption: str,
    anchor: str = "",
    item_id: int | None = None,
    image: IO[bytes] | None = None,
    image_name: str = "",
    annotation=None,
    by: User | None = None,
) -> Example:
    """Place an example of ``guide``: the dataset's item ``item_id`` or an uploaded
    ``image`` (kept as an attachment), with its regions, last in the guide's order."""
    verdict = _verdict(verdict)
    caption = _caption(caption)
    anchor = _anchor(guide, anchor)
    has_item = item_id not in (None, "")
    if has_item == (image is not None):
        message = _("Give either an item of the dataset or an image to upload, not both.")
        raise DomainError(message, fields={"item": message, "image": message})
    annotation = annotation_read(annotation)
    item = _item(guide, item_id) if has_item else None
    if item is not None:
        regions = _regions(guide, verdict, item, annotation, item.width, item.height)
        attachment = None
    else:
        attachment = _image_upload(guide, image, image_name, by)
        try:
            regions = _regions(
                guide, verdict, None, annotation, attachment.width, attachment.height
            )
        except DomainError:
            attachment.file.delete(save=False)  # the row goes with the transaction
            raise
    last = guide.examples.aggregate(last=Max("position"))["last"]
    return Example.objects.create(
        guide=guide,
        verdict=verdict,
        caption=caption,
        anchor=anchor,
        item=item,
        attachment=attachment,
        annotation=regions,
        position=0 if last is None else last + 1,
        created_by=by,
    )


@transaction.atomic
def example_update(
    *,
    example: Example,
    caption: str | None = None,
    verdict: str | None = None,
    anchor: str | None = None,
    annotation=None,
    by: User | None = None,
) -> Example:
    """Change what is given: caption, verdict, section, or the regions (a new upload)."""
    example = (
        Example.objects.select_for_update().select_related("guide__dataset").get(pk=example.pk)
    )
    if caption is not None:
        example.caption = _caption(caption)
    if verdict is not None:
        example.verdict = _verdict(verdict)
    if anchor is not None:
        example.anchor = _anchor(example.guide, anchor)
    annotation = annotation_read(annotation)
    if annotation is not None:
        image = example.item or example.attachment
        example.annotation = _annotation_check(example.guide, annotation, image.width, image.height)
    example.save(update_fields=["caption", "verdict", "anchor", "annotation"])
    return example


@transaction.atomic
def examples_reorder(*, guide: Guide, order: list[int]) -> list[Example]:
    """Put the guide's examples in ``order``: every one of their ids, each once."""
    examples = {example.pk: example for example in guide.examples.select_for_update()}
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError):
        wanted = []
    if sorted(wanted) != sorted(examples):
        raise _fail(
            "order",
            _("Name each of the guide's %(count)s examples once, in the order wanted.")
            % {"count": len(examples)},
        )
    for position, pk in enumerate(wanted):
        examples[pk].position = position
    Example.objects.bulk_update(examples.values(), ["position"])
    return [examples[pk] for pk in wanted]


def example_move(*, example: Example, offset: int) -> list[Example]:
    """Swap the example with the one before it (``offset`` -1) or after it (+1) among the
    examples of its own section, as pages show them; at either end nothing moves."""
    rows = list(example.guide.examples.order_by("position", "pk").values_list("pk", "anchor"))
    order = [pk for pk, _anchor in rows]
    section = [pk for pk, anchor in rows if anchor == example.anchor]
    index = section.index(example.pk) + offset
    if 0 <= index < len(section):
        here, there = order.index(example.pk), order.index(section[index])
        order[here], order[there] = order[there], order[here]
    return examples_reorder(guide=example.guide, order=order)


@transaction.atomic
def example_delete(*, example: Example) -> None:
    """Take an example off the guide. One a published version's quiz asks about stays
    (409): that quiz cannot change. Its uploaded image stays among the guide's attachments."""
    versions = sorted(
        set(
            QuizQuestion.objects.filter(example=example, version__isnull=False).values_list(
                "version__number", flat=True
            )
        )
    )
    if versions:
        raise DomainError(
            _("The quiz of version %(versions)s asks about this example, so it stays.")
            % {"versions": ", ".join(map(str, versions))},
            code="example_in_quiz",
            status=409,
        )
    example.delete()
