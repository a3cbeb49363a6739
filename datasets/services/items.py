"""Writes of items: images coming in, checked by content, stored under server-chosen names.

A request registers an item at once (hash, header check, dedupe, the original stored); a
worker then makes its other files (``services/renditions``). A file that turns out to be
damaged is removed with its files and its upload entry says why (``item_refuse``): nothing
is left half-stored.
"""

import hashlib
import io
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from datasets.models import (
    UNCOUNTED_STATUSES,
    Category,
    Dataset,
    Item,
    ItemCategory,
    ItemEvent,
    Upload,
    UploadEntry,
)
from datasets.services.coverage import (
    category_key_for,
    coverage_collected,
    coverage_move,
    stratum_of,
)

#: Decoded format → (stored extension, Content-Type). The server names and types every file.
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "HEIF": ("heic", "image/heic"),
}
_CHUNK = 1 << 20


def file_name_shown(name: str, *, limit: int = 120) -> str:
    """A file name safe to show in a message: control and direction characters escaped."""
    shown = "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in {"Cc", "Cf"}
        else char
        for char in name
    )
    if len(shown) <= limit:
        return shown
    return shown[: limit // 2] + "…" + shown[-(limit // 2 - 1) :]


def file_name_check(name: str, *, folders: bool = False) -> str:
    """Refuse a client's file name that could mislead or escape; return it for display.

    The name is never used to store anything; it is kept to show the user where an item
    came from, and in archives its folders may name categories.
    """
    problem = None
    parts = name.split("/")
    if not name or not parts[-1]:
        problem = _("it is empty")
    elif len(name) > 255:
        problem = _("it is longer than 255 characters")
    elif any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        problem = _("it contains control or text-direction characters")
    elif "\\" in name:
        problem = _("it contains a backslash")
    elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        problem = _("it is an absolute path")
    elif any(part in {"", ".", ".."} for part in parts[:-1]) or parts[-1] in {".", ".."}:
        problem = _("it climbs out of its folder")
    elif "/" in name and not folders:
        problem = _("it contains a folder path")
    if problem:
        raise DomainError(
            _("“%(name)s” is not an acceptable file name: %(problem)s.")
            % {"name": file_name_shown(name), "problem": problem},
            code="bad_file_name",
        )
    return name


def file_refusal(name: str, code: str, problem: str) -> DomainError:
    return DomainError(
        _("“%(name)s”: %(problem)s") % {"name": file_name_shown(name), "problem": problem},
        code=code,
    )


def _size_of(file: IO[bytes]) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def image_sniff(file: IO[bytes], *, name: str) -> tuple[str, int, int]:
    """Check a file by its content, reading the header only: (format, width, height)."""
    size = _size_of(file)
    if size == 0:
        raise file_refusal(name, "empty_file", _("the file is empty."))
    if size > settings.ITEM_MAX_BYTES:
        raise file_refusal(
            name,
            "file_too_large",
            _("the file is %(size)s bytes; the limit is %(limit)s.")
            % {"size": size, "limit": settings.ITEM_MAX_BYTES},
        )
    try:
        with Image.open(file) as image:
            image_format, (width, height) = image.format, image.size
    except Image.DecompressionBombError:
        raise file_refusal(
            name, "too_many_pixels", _("the image claims more pixels than Groundwork accepts.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise file_refusal(
            name,
            "not_an_image",
            _("the content is not a JPEG, PNG, WebP or HEIC image, whatever its name says."),
        ) from None
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise file_refusal(
            name,
            "unsupported_format",
            _("%(format)s images are not accepted; send JPEG, PNG, WebP or HEIC.")
            % {"format": image_format},
        )
    if width * height > settings.ITEM_MAX_PIXELS:
        raise file_refusal(
            name,
            "too_many_pixels",
            _("the image is %(width)s×%(height)s pixels; the limit is %(limit)s pixels.")
            % {"width": width, "height": height, "limit": settings.ITEM_MAX_PIXELS},
        )
    return image_format, width, height


def item_folder(dataset_id: int, digest: str) -> str:
    """Where the files of an item are stored: by dataset, then by content hash."""
    return f"items/{dataset_id}/{digest[:2]}/{digest}"


@transaction.atomic
def _item_create(
    *,
    dataset: Dataset,
    digest: str,
    stored: str,
    width: int,
    height: int,
    name: str,
    categories: list[Category],
    upload: Upload | None,
    by: User | None,
    contract_id: int | None,
) -> Item:
    item = Item.objects.create(
        dataset=dataset,
        sha256=digest,
        original=stored,
        image=stored,
        original_name=name,
        width=width,
        height=height,
        category_key=category_key_for(category.pk for category in categories),
        upload=upload,
        contract_id=contract_id,
        status=Item.Status.NEW if contract_id is None else Item.Status.PENDING,
    )
    ItemCategory.objects.bulk_create(
        ItemCategory(item=item, category=category, axis_id=category.axis_id)
        for category in categories
    )
    ItemEvent.objects.create(
        item=item,
        by=by,
        kind=ItemEvent.Kind.UPLOADED,
        params={"name": name},
    )
    coverage_move(dataset_id=dataset.pk, moves=Counter({(None, stratum_of(item)): 1}))
    if item.status not in UNCOUNTED_STATUSES:  # a collected photo counts once accepted
        coverage_collected(dataset_id=dataset.pk, keys=Counter({item.category_key: 1}))
    from datasets.tasks import item_process_task

    transaction.on_commit(partial(item_process_task.delay, item.pk))
    return item


def item_register(
    *,
    dataset: Dataset,
    file: IO[bytes] | bytes,
    name: str = "",
    categories: list[Category] = (),
    upload: Upload | None = None,
    by: User | None = None,
    contract_id: int | None = None,
) -> tuple[Item, bool]:
    """Register one image: (item, created). The same content twice is one item.

    Checked by content from its header; stored under a name made of its SHA-256; a worker
    makes its renditions after the commit. A refused file raises DomainError naming it and
    stores nothing.

    With ``contract_id`` (a vendor's photo under a collection contract) the item is added
    awaiting acceptance (``PENDING``: in no coverage counter until ``items_collected_review``
    accepts it), and the same content as any item of the dataset, whatever its status, is
    refused as a duplicate (``duplicate``) rather than answered with that item: a vendor is
    never shown an item it did not bring.
    """
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    if categories and len({category.axis_id for category in categories}) < len(categories):
        raise DomainError(
            _("An item carries at most one category per axis."), code="two_categories_one_axis"
        )
    digest = _sha256(file)
    existing = dataset.items.filter(sha256=digest).first()
    if existing is not None:
        if contract_id is not None:
            raise _duplicate(name or digest[:12])
        return existing, False
    image_format, width, height = image_sniff(file, name=name or digest[:12])
    extension = IMAGE_FORMATS[image_format][0]
    stored = default_storage.save(f"{item_folder(dataset.pk, digest)}.{extension}", File(file))
    try:
        item = _item_create(
            dataset=dataset,
            digest=digest,
            stored=stored,
            width=width,
            height=height,
            name=name,
            categories=list(categories),
            upload=upload,
            by=by,
            contract_id=contract_id,
        )
    except IntegrityError:  # the same content arrived at the same moment: keep theirs
        default_storage.delete(stored)
        existing = dataset.items.filter(sha256=digest).first()
        if existing is None:
            raise
        if contract_id is not None:
            raise _duplicate(name or digest[:12]) from None
        return existing, False
    except BaseException:
        default_storage.delete(stored)  # a refused write leaves no orphan file
        raise
    return item, True


def _duplicate(name: str) -> DomainError:
    return file_refusal(
        name, "duplicate", _("the same photo is already in the dataset; it is not added again.")
    )


def _item_files(item: Item) -> set[str]:
    return {
        field.name
        for field in (item.original, item.image, item.rendition, item.thumbnail)
        if field and field.name
    }


@transaction.atomic
def item_refuse(*, item: Item, code: str, message: str) -> None:
    """Remove an item a worker could not decode; its upload entry keeps the reason."""
    item = Item.objects.select_for_update().filter(pk=item.pk).first()
    if item is None:
        return
    files = _item_files(item)
    UploadEntry.objects.filter(item=item).update(
        outcome=UploadEntry.Outcome.REFUSED, code=code, message=message, item=None
    )
    coverage_move(dataset_id=item.dataset_id, moves=Counter({(stratum_of(item), None): 1}))
    if item.status not in UNCOUNTED_STATUSES:
        coverage_collected(
            dataset_id=item.dataset_id,
            keys=Counter({item.category_key: -1}),
            day=timezone.localdate(item.created_at),
        )
    item.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


@transaction.atomic
def item_status_set(*, item: Item, status: str) -> Item:
    """Move an item along collected → in labeling → labeled → accepted, counters with it.

    A collected photo awaiting acceptance, or rejected, moves only through
    ``items_collected_review``: 409 here, nothing changed.
    """
    item.status = Item.objects.select_for_update().values_list("status", flat=True).get(pk=item.pk)
    if item.status == status:
        return item
    if item.status in UNCOUNTED_STATUSES or status in UNCOUNTED_STATUSES:
        raise DomainError(
            _("Item %(id)s is a collected photo awaiting acceptance or rejected; accept it first.")
            % {"id": item.pk},
            code="item_not_accepted",
            status=409,
        )
    before = stratum_of(item)
    Item.objects.filter(pk=item.pk).update(status=status)
    item.status = status
    coverage_move(dataset_id=item.dataset_id, moves=Counter({(before, stratum_of(item)): 1}))
    return item


@transaction.atomic
def items_collected_review(*, items: list[Item], accept: bool, by: User | None) -> list[Item]:
    """Accept vendors' collected photos awaiting acceptance (they become collected items and
    count toward coverage from now on, collected today) or reject them (kept with their
    files, never counted, cut or exported). Each gets an item event.

    Every item must be awaiting acceptance: otherwise 409 naming them, nothing changed.
    Returns the items, locked and moved, in id order.
    """
    ids = sorted({item.pk for item in items})
    locked = list(Item.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    stale = [item.pk for item in locked if item.status != Item.Status.PENDING]
    missing = sorted(set(ids) - {item.pk for item in locked})
    if stale or missing:
        raise DomainError(
            _("These photos are not awaiting acceptance: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(stale + missing))},
            code="not_pending",
            status=409,
            fields={"items": _("Only photos awaiting acceptance can be accepted or rejected.")},
        )
    after = Item.Status.NEW if accept else Item.Status.REJECTED
    kind = ItemEvent.Kind.COLLECTED_ACCEPTED if accept else ItemEvent.Kind.COLLECTED_REJECTED
    Item.objects.filter(pk__in=ids).update(status=after)
    moves: dict[int, Counter] = defaultdict(Counter)
    collected: dict[tuple[int, date], Counter] = defaultdict(Counter)
    for item in locked:
        before = stratum_of(item)
        item.status = after
        moves[item.dataset_id][(before, stratum_of(item))] += 1
        # counted on the day it was collected, as every other item (and as item_refuse and
        # category changes later take it back)
        collected[(item.dataset_id, timezone.localdate(item.created_at))][item.category_key] += 1
    ItemEvent.objects.bulk_create(
        ItemEvent(item=item, by=by, kind=kind, params={"contract": item.contract_id})
        for item in locked
    )
    for dataset_id, counter in moves.items():
        coverage_move(dataset_id=dataset_id, moves=counter)
    if accept:
        for (dataset_id, day), keys in sorted(collected.items()):
            coverage_collected(dataset_id=dataset_id, keys=keys, day=day)
    return locked


@transaction.atomic(savepoint=False)  # the labeling service that sets them aside calls it
def items_set_aside_record(
    *,
    reasons: dict[int, list[str]],
    task_kind: str,
    batch_ref: int,
    by: User | None,
) -> int:
    """Record on each item of ``reasons`` (item id → the codes it was skipped for) that
    labeling set it aside as unusable for a task kind, every annotator having skipped it:
    one event each, how many. Its status moves with the task (``items_status_move``);
    this only writes the history line."""
    events = ItemEvent.objects.bulk_create(
        ItemEvent(
            item_id=pk,
            by=by,
            kind=ItemEvent.Kind.SET_ASIDE,
            params={"task_kind": task_kind, "batch": batch_ref, "reasons": codes},
        )
        for pk, codes in sorted(reasons.items())
    )
    return len(events)


@transaction.atomic(savepoint=False)  # a submit calls it in its own transaction
def items_status_move(
    *,
    dataset: Dataset,
    item_ids: Iterable[int],
    from_status: str,
    to_status: str,
    deferred: bool = False,
) -> int:
    """Move many items of ``dataset`` from one status to another, counters with them: how
    many moved. Items not in ``from_status`` (or not of the dataset) are left as they are.

    One ``UPDATE … RETURNING`` and one counter upsert however many items: a batch cut moves
    its items new → in labeling with it, a cancel moves them back. ``deferred``: the
    counters move a few seconds later (``coverage_move``'s deltas), so a submit waits on no
    counter row.
    """
    ids = sorted(set(item_ids))
    if not ids or from_status == to_status:
        return 0
    table = Item._meta.db_table
    if connection.vendor == "postgresql":
        among, params = "id = ANY(%s)", [ids]  # one array parameter, however many ids
    else:
        among, params = f"id IN ({', '.join(['%s'] * len(ids))})", ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s "  # noqa: S608 - names and placeholders are ours
            f"WHERE dataset_id = %s AND status = %s AND {among} RETURNING category_key, split",
            [to_status, dataset.pk, from_status, *params],
        )
        moved = Counter(
            ((key, split, from_status), (key, split, to_status)) for key, split in cursor.fetchall()
        )
    coverage_move(dataset_id=dataset.pk, moves=moved, deferred=deferred)
    return sum(moved.values())
