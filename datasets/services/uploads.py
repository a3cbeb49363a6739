"""Uploads: files dropped in the browser or sent through the API, and zip archives.

Every file gets an entry saying what became of it (added, duplicate, refused and why); the
valid files of an upload are kept whatever happens to the others. Archives are stored as
they arrive and unpacked by a worker, entry by entry, never read whole into memory.
"""

import tempfile
import uuid
import zipfile
from collections.abc import Iterable
from functools import partial
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.tasks import JobStopped, Lease
from datasets.models import Category, Dataset, Upload, UploadEntry
from datasets.services.items import (
    file_name_check,
    file_name_shown,
    file_refusal,
    item_register,
)

_SPOOL = 8 << 20  # entries up to 8 MB stay in memory while they are checked
_BOMB_RATIO = 100  # images hardly compress; an entry that shrinks 100:1 is not a photo
_SKIPPED_PREFIXES = ("__MACOSX/",)


def categories_resolve(*, dataset: Dataset, pairs: Iterable[str]) -> list[Category]:
    """Turn ``["capture=shadow", "handwritten"]`` into categories; an unknown one is a 400.

    A bare slug is accepted when exactly one axis has it.
    """
    categories = list(Category.objects.filter(axis__dataset=dataset).select_related("axis"))
    chosen: dict[int, Category] = {}
    for pair in pairs:
        pair = pair.strip()
        if not pair:
            continue
        axis_slug, _sep, slug = pair.rpartition("=")
        matches = [
            category
            for category in categories
            if category.slug == slug and (not axis_slug or category.axis.slug == axis_slug)
        ]
        if len(matches) != 1:
            raise DomainError(
                _("“%(category)s” is not a category of this dataset.")
                % {"category": file_name_shown(pair)}
                if not matches
                else _("“%(category)s” is a category on several axes; write axis=category.")
                % {"category": file_name_shown(pair)},
                code="unknown_category",
                fields={"categories": _("Unknown category “%(category)s”.") % {"category": pair}},
            )
        category = matches[0]
        if category.axis_id in chosen and chosen[category.axis_id] != category:
            raise DomainError(
                _("Two categories of the axis “%(axis)s” were given; an item has one per axis.")
                % {"axis": category.axis.slug},
                code="two_categories_one_axis",
                fields={"categories": _("One category per axis.")},
            )
        chosen[category.axis_id] = category
    return list(chosen.values())


def _entry(upload: Upload, name: str, *, register) -> UploadEntry:
    """Run one file's registration and record what became of it."""
    try:
        item, created = register()
    except DomainError as error:
        return UploadEntry.objects.create(
            upload=upload,
            name=file_name_shown(name, limit=300),
            outcome=UploadEntry.Outcome.REFUSED,
            code=error.code,
            message=error.message,
        )
    return UploadEntry.objects.create(
        upload=upload,
        name=file_name_shown(name, limit=300),
        outcome=UploadEntry.Outcome.ADDED if created else UploadEntry.Outcome.DUPLICATE,
        item=item,
    )


def upload_files(
    *,
    dataset: Dataset,
    files: list[tuple[str, IO[bytes]]],
    categories: list[Category],
    by: User | None,
    upload: Upload | None = None,
) -> tuple[Upload, list[UploadEntry]]:
    """Register files sent together; each gets its own entry and its own transaction."""
    if upload is None:
        upload = Upload.objects.create(
            dataset=dataset,
            kind=Upload.Kind.FILES,
            created_by=by,
            categories={category.axis.slug: category.slug for category in categories},
        )
    entries = []
    for name, file in files:

        def register(name=name, file=file):
            shown = file_name_check(name)
            return item_register(
                dataset=dataset, file=file, name=shown, categories=categories, upload=upload, by=by
            )

        entries.append(_entry(upload, name, register=register))
    return upload, entries


def upload_archive_receive(
    *, dataset: Dataset, archive: IO[bytes], name: str, categories: list[Category], by: User | None
) -> Upload:
    """Check that a zip was sent and store it as it is; a worker unpacks it."""
    if not zipfile.is_zipfile(archive):
        raise DomainError(
            _("“%(name)s” is not a zip archive.") % {"name": file_name_shown(name)},
            code="not_a_zip",
        )
    archive.seek(0, 2)
    size = archive.tell()
    archive.seek(0)
    if size > settings.UPLOAD_MAX_ARCHIVE_BYTES:
        raise DomainError(
            _("“%(name)s” is %(size)s bytes; archives may be at most %(limit)s.")
            % {
                "name": file_name_shown(name),
                "size": size,
                "limit": settings.UPLOAD_MAX_ARCHIVE_BYTES,
            },
            code="archive_too_large",
        )
    stored = default_storage.save(f"uploads/{dataset.pk}/{uuid.uuid4().hex}.zip", File(archive))
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                dataset=dataset,
                kind=Upload.Kind.ZIP,
                status=Upload.Status.UNPACKING,
                archive=stored,
                archive_name=file_name_shown(name, limit=255),
                categories={category.axis.slug: category.slug for category in categories},
                created_by=by,
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    from datasets.tasks import upload_unpack_task

    transaction.on_commit(partial(upload_unpack_task.delay, upload.pk))
    return upload


def _entry_problem(info: zipfile.ZipInfo, seen: set[str]) -> DomainError | None:
    """Why an archive entry must not be unpacked, before a byte of it is read."""
    name = info.orig_filename
    try:
        file_name_check(name, folders=True)
    except DomainError as error:
        return error
    if name in seen:
        return file_refusal(name, "repeated_name", _("the name appears twice in the archive."))
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        return file_refusal(name, "symlink", _("the entry is a symbolic link."))
    if info.file_size > settings.ITEM_MAX_BYTES:
        return file_refusal(
            name,
            "file_too_large",
            _("the file is %(size)s bytes; the limit is %(limit)s.")
            % {"size": info.file_size, "limit": settings.ITEM_MAX_BYTES},
        )
    if info.file_size > (1 << 20) and info.file_size > _BOMB_RATIO * max(info.compress_size, 1):
        return file_refusal(
            name,
            "zip_bomb",
            _("the entry expands %(ratio)s times; photos do not, zip bombs do.")
            % {"ratio": info.file_size // max(info.compress_size, 1)},
        )
    return None


def _entry_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    """Copy one entry out, never more than it declares; a lie or damage is a refusal."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - the caller closes it
    try:
        with archive.open(info) as source:
            while chunk := source.read(1 << 20):
                spool.write(chunk)
                if spool.tell() > info.file_size:
                    raise zipfile.BadZipFile("larger than declared")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        spool.close()
        raise file_refusal(
            info.orig_filename,
            "damaged_entry",
            _("the entry is damaged or larger than it declares."),
        ) from error
    spool.seek(0)
    return spool


def _folder_categories(
    dataset: Dataset, name: str, defaults: dict[str, str]
) -> list[Category] | DomainError:
    """Categories from the folders of an entry: ``shadow/`` or ``capture=shadow/``."""
    pairs = {axis: slug for axis, slug in defaults.items()}
    folders = name.split("/")[:-1]
    try:
        found = categories_resolve(dataset=dataset, pairs=folders)
    except DomainError as error:
        return file_refusal(name, error.code, error.message)
    for category in found:
        pairs[category.axis.slug] = category.slug
    return categories_resolve(
        dataset=dataset, pairs=[f"{axis}={slug}" for axis, slug in pairs.items()]
    )


def _is_desktop_litter(name: str) -> bool:
    """Files macOS and Windows add to archives by themselves; skipped, not reported."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith("._") or base in {".DS_Store", "Thumbs.db", "desktop.ini"}


def upload_unpack(*, upload_id: int) -> Upload:
    """Unpack a stored zip entry by entry. Rerunning it continues where it stopped.

    The upload's heartbeat lease is beaten after every entry, so the sweep queues it again
    when its worker dies; a second delivery while a live worker unpacks does nothing.
    """
    lease = Lease.claim(Upload.objects.filter(pk=upload_id, status=Upload.Status.UNPACKING))
    upload = Upload.objects.select_related("dataset", "created_by").get(pk=upload_id)
    if lease is None:
        return upload
    done = set(upload.entries.values_list("name", flat=True))  # names as shown
    try:
        with (
            default_storage.open(upload.archive.name, "rb") as stored,
            zipfile.ZipFile(stored) as archive,
        ):
            infos = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.orig_filename.startswith(_SKIPPED_PREFIXES)
                and not _is_desktop_litter(info.orig_filename)
            ]
            if len(infos) > settings.UPLOAD_MAX_ENTRIES:
                return upload_failed(
                    upload,
                    _("The archive has %(count)s files; the limit is %(limit)s.")
                    % {"count": len(infos), "limit": settings.UPLOAD_MAX_ENTRIES},
                )
            Upload.objects.filter(pk=upload.pk).update(entries_total=len(infos))
            seen: set[str] = set()
            for info in infos:
                name = info.orig_filename
                if file_name_shown(name, limit=300) in done:
                    seen.add(name)
                    continue
                _unpack_entry(upload, archive, info, seen)
                seen.add(name)
                lease.beat()
    except JobStopped:  # no longer unpacking (failed or removed meanwhile)
        upload.refresh_from_db()
        return upload
    except (zipfile.BadZipFile, OSError) as error:
        return upload_failed(
            upload, _("The archive cannot be read: %(error)s.") % {"error": str(error)}
        )
    archive_name = upload.archive.name
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.DONE, archive="")
    default_storage.delete(archive_name)
    upload.refresh_from_db()
    return upload


def _unpack_entry(upload: Upload, archive: zipfile.ZipFile, info, seen: set[str]) -> None:
    name = info.orig_filename

    def register():
        problem = _entry_problem(info, seen)
        if problem is not None:
            raise problem
        categories = _folder_categories(upload.dataset, name, upload.categories)
        if isinstance(categories, DomainError):
            raise categories
        with _entry_read(archive, info) as file:
            return item_register(
                dataset=upload.dataset,
                file=file,
                name=name,
                categories=categories,
                upload=upload,
                by=upload.created_by,
            )

    _entry(upload, name, register=register)


def upload_failed(upload: Upload, message: str) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.FAILED, error=message)
    if upload.archive:
        default_storage.delete(upload.archive.name)
        Upload.objects.filter(pk=upload.pk).update(archive="")
    upload.refresh_from_db()
    return upload
