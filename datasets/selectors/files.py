"""Reads of stored files: which file an item's kind (or a category's example) serves, typed.

The item-file helper of DESIGN.md. Every app that shows an item's image asks its own
policy whether the user may see the item, then serves what ``item_file`` names, from a
``core.files.FileApiView`` (so sessions and API tokens both work)::

    class TaskImageApi(FileApiView):  # labeling: its policy, then the helper
        def get(self, request, task_id: int, kind: str):
            task = get_object_or_404(policy.tasks_visible_to(request.user), pk=task_id)
            item = Item.objects.get(pk=task.item_id)
            file = selectors.item_file(item=item, kind=kind, user=request.user)
            return stored_file_response(request, file)

Labeling's task images and guides' example images are served this way, never by a copy.
"""

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from core.files import StoredFile, content_type_for
from datasets.models import Category, Item
from datasets.policy import item_file_kind

#: The files of an item a URL may name, largest first.
FILE_KINDS = ("original", "image", "rendition", "thumbnail")
#: Until a worker has made it, a rendition is served by the upright image, a thumbnail by
#: the rendition.
FALLBACK = {"rendition": "image", "thumbnail": "rendition"}
#: Decoded format → Content-Type of a category's example image.
EXAMPLE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _unknown_kind(kind: str) -> DomainError:
    return DomainError(
        _("An item has no file “%(kind)s”; ask for one of: %(kinds)s.")
        % {"kind": kind, "kinds": ", ".join(FILE_KINDS)},
        code="unknown_file_kind",
        status=404,
    )


def item_file_name(*, item: Item, kind: str, user: User) -> tuple[str, str]:
    """Which stored file ``kind`` serves to ``user``: (the kind served, its stored name).

    The one place that decides which bytes of an item a user receives; callers have
    already checked, through their policy, that the user may see the item. Which kinds a
    role may have is ``policy.item_file_kind``'s: only planners get the original, with its
    metadata; other roles get files known to carry none. A rendition or
    thumbnail not made yet falls back to the next larger file. An empty name means the
    item has no such file (404).
    """
    if kind not in FILE_KINDS:
        raise _unknown_kind(kind)
    served = item_file_kind(user, item.dataset, item, kind)
    if served is None:
        raise DomainError(
            _("Item %(id)s has no file you may see yet.") % {"id": item.pk},
            code="not_found",
            status=404,
        )
    kind = served
    name = getattr(item, kind).name
    while not name and kind in FALLBACK:
        kind = FALLBACK[kind]
        name = getattr(item, kind).name
    return kind, name


def item_file(*, item: Item, kind: str, user: User) -> StoredFile:
    """The stored file ``kind`` serves to ``user``, typed by the format it was decoded as.

    Every name an item's file is stored under is chosen by the server from the format it
    decoded (the original's) or encoded (the variants'), so its extension records the
    format. The original's ETag is its SHA-256.
    """
    served, name = item_file_name(item=item, kind=kind, user=user)
    extension = name.rsplit(".", 1)[-1]
    return StoredFile(
        name=name,
        content_type=content_type_for(name),
        filename=f"item-{item.pk}-{served}.{extension}",
        etag=item.sha256 if name == item.original.name else None,
    )


def category_example_file(*, category: Category) -> StoredFile | None:
    """A category's example image, typed by what it decodes as; None if there is none or
    it does not decode as an accepted format."""
    if not category.example:
        return None
    try:
        with (
            default_storage.open(category.example.name, "rb") as stored,
            Image.open(stored) as image,
        ):
            content_type = EXAMPLE_CONTENT_TYPES.get(image.format)
    except (FileNotFoundError, UnidentifiedImageError, OSError):
        return None
    if content_type is None:
        return None
    extension = content_type.removeprefix("image/").replace("jpeg", "jpg")
    return StoredFile(
        name=category.example.name,
        content_type=content_type,
        filename=f"category-{category.pk}-example.{extension}",
    )
