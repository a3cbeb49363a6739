"""Uploads: files dropped in the browser or sent through the API, and zip archives.

Every file gets an entry saying what became of it (added, duplicate, refused and why); the
valid files of an upload are kept whatever happens to the others. Archives are stored as
they arrive and unpacked by a worker, entry by entry, never read whole into memory.
"""

import io
import logging
import struct
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
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
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
_ENCRYPTED = 0x1  # bit 0 of a zip entry's general-purpose flags
# The end of a zip: its end-of-central-directory record (22 bytes and a comment of at most
# 64 KiB), and for ZIP64 archives a 20-byte locator before it pointing at a larger record.
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE, _ZIP64_LOCATOR, _ZIP64_END = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"

logger = logging.getLogger(__name__)


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


@transaction.atomic
def _entry(upload: Upload, name: str, *, register) -> UploadEntry:
    """Run one file's registration and record what became of it, in one transaction.

    An item is never committed without its entry, so a rerun that counts the entries
    knows exactly which files are done.
    """
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
    contract_id: int | None = None,
) -> tuple[Upload, list[UploadEntry]]:
    """Register files sent together; each gets its own entry and its own transaction.

    The upload ends done, its entries counted; the worker then processes the added files
    (``processed`` in ``selectors.upload_detail``). When every file is refused nothing is
    kept — no upload, no entry — and the refusal is raised naming each file.

    With ``contract_id`` (a vendor's photos under a collection contract, recorded on the
    upload) the items added await acceptance and a file already in the dataset is refused
    as a duplicate (``item_register``); an earlier ``upload`` must be of the same contract.
    """
    created = upload is None
    if created:
        upload = Upload.objects.create(
            dataset=dataset,
            kind=Upload.Kind.FILES,
            created_by=by,
            categories={category.axis.slug: category.slug for category in categories},
            contract_id=contract_id,
        )
    elif upload.contract_id != contract_id:
        raise DomainError(
            _("Upload %(id)s belongs to another collection.") % {"id": upload.pk},
            code="unknown_upload",
            fields={"upload": _("No such upload.")},
        )
    entries = []
    for name, file in files:

        def register(name=name, file=file):
            shown = file_name_check(name)
            return item_register(
                dataset=dataset,
                file=file,
                name=shown,
                categories=categories,
                upload=upload,
                by=by,
                contract_id=contract_id,
            )

        entries.append(_entry(upload, name, register=register))
    refused = [entry for entry in entries if entry.outcome == UploadEntry.Outcome.REFUSED]
    if refused and len(refused) == len(entries):
        UploadEntry.objects.filter(pk__in=[entry.pk for entry in refused]).delete()
        if created:
            upload.delete()
        else:  # another request of the upload may have counted these entries meanwhile
            _entries_count(upload, status=upload.status)
        raise DomainError(
            refused[0].message
            if len(refused) == 1
            else _("None of the %(count)s files was accepted.") % {"count": len(refused)},
            code=refused[0].code if len(refused) == 1 else "all_files_refused",
            fields={entry.name: entry.message for entry in refused},
        )
    _entries_count(upload, status=Upload.Status.DONE, finished_at=timezone.now())
    upload.refresh_from_db()
    return upload, entries


def _entries_count(upload: Upload, **fields) -> None:
    """Set the upload's entry count in one statement, counted as it runs: requests of one
    upload running side by side (the page sends a request a file) never leave a stale
    count, such as that of a refused file's entry since removed."""
    count = (
        UploadEntry.objects.filter(upload=OuterRef("pk"))
        .values("upload")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Upload.objects.filter(pk=upload.pk).update(entries_total=Coalesce(Subquery(count), 0), **fields)


def _archive_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries of an archive that are meant as files: no folders, no desktop litter."""
    return [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.orig_filename.startswith(_SKIPPED_PREFIXES)
        and not _is_desktop_litter(info.orig_filename)
    ]


def _declared_entries(file: IO[bytes]) -> int:
    """How many entries a zip's end record declares, read from its last 64 KiB.

    ``zipfile`` reads every entry of the central directory into memory before anything
    can be counted; this reads a few bytes, so an archive of millions of entries is refused
    before it costs the web process its memory. 0 when no end record is found.
    """
    file.seek(0, io.SEEK_END)
    file.seek(max(0, file.tell() - _END.size - 0xFFFF))
    tail = file.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        file.seek(0)
        return 0
    entries = _END.unpack_from(tail, at)[4]
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        file.seek(offset)
        record = file.read(40)
        if record[:4] == _ZIP64_END and len(record) == 40:
            (entries,) = struct.unpack_from("<Q", record, 32)
    file.seek(0)
    return entries


def _too_many_entries(name: str, count: int) -> DomainError:
    return DomainError(
        _("“%(name)s” has %(count)s entries; an archive may have at most %(limit)s.")
        % {"name": file_name_shown(name), "count": count, "limit": settings.UPLOAD_MAX_ENTRIES},
        code="too_many_entries",
        fields={
            "archive": _("At most %(limit)s entries.") % {"limit": settings.UPLOAD_MAX_ENTRIES}
        },
    )


def _archive_check(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """Refuse an archive by what its central directory declares, before a byte is unpacked.

    Too many entries, no file at all, an entry declared larger than an image may be, or
    more bytes declared in all than ``UPLOAD_MAX_DECLARED_BYTES``: each is a DomainError
    naming the archive and the limit. Returns the entries to unpack.
    """
    shown = file_name_shown(name)
    if len(archive.infolist()) > settings.UPLOAD_MAX_ENTRIES:
        raise _too_many_entries(name, len(archive.infolist()))
    members = _archive_members(archive)
    if not members:
        raise DomainError(
            _("“%(name)s” holds no images: the archive has no files in it.") % {"name": shown},
            code="empty_archive",
            fields={"archive": _("The archive is empty.")},
        )
    for info in members:
        if info.file_size > settings.ITEM_MAX_BYTES:
            raise DomainError(
                _(
                    "“%(name)s”: the entry “%(entry)s” declares %(size)s bytes; "
                    "an image may be at most %(limit)s."
                )
                % {
                    "name": shown,
                    "entry": file_name_shown(info.orig_filename),
                    "size": info.file_size,
                    "limit": settings.ITEM_MAX_BYTES,
                },
                code="file_too_large",
                fields={"archive": _("An entry is larger than an image may be.")},
            )
    declared = sum(info.file_size for info in members)
    if declared > settings.UPLOAD_MAX_DECLARED_BYTES:
        raise DomainError(
            _(
                "“%(name)s” declares %(size)s bytes once unpacked; "
                "an archive may unpack to at most %(limit)s."
            )
            % {"name": shown, "size": declared, "limit": settings.UPLOAD_MAX_DECLARED_BYTES},
            code="archive_declares_too_much",
            fields={"archive": _("The archive unpacks to too many bytes.")},
        )
    return members


def upload_archive_receive(
    *,
    dataset: Dataset,
    archive: IO[bytes],
    name: str,
    categories: list[Category],
    by: User | None,
    contract_id: int | None = None,
) -> Upload:
    """Check a zip by its name, size and central directory and store it as it is.

    A worker unpacks it (``upload_unpack``); with ``contract_id`` its items are a vendor's
    collected photos, as in ``upload_files``.
    """
    file_name_check(name)
    not_a_zip = DomainError(
        _("“%(name)s” is not a zip archive.") % {"name": file_name_shown(name)}, code="not_a_zip"
    )
    if not zipfile.is_zipfile(archive):
        raise not_a_zip
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
    declared = _declared_entries(archive)
    if declared > settings.UPLOAD_MAX_ENTRIES:
        raise _too_many_entries(name, declared)
    try:
        with zipfile.ZipFile(archive) as directory:
            members = _archive_check(directory, name)
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise not_a_zip from None
    archive.seek(0)
    stored = default_storage.save(f"uploads/{dataset.pk}/{uuid.uuid4().hex}.zip", File(archive))
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                dataset=dataset,
                kind=Upload.Kind.ZIP,
                status=Upload.Status.UNPACKING,
                archive=stored,
                archive_name=file_name_shown(name, limit=255),
                entries_total=len(members),
                categories={category.axis.slug: category.slug for category in categories},
                created_by=by,
                contract_id=contract_id,
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
    if info.flag_bits & _ENCRYPTED:
        return file_refusal(
            name, "encrypted_entry", _("the entry is encrypted; Groundwork cannot open it.")
        )
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
    except NotImplementedError as error:  # deflate64, bzip2 variants zipfile cannot read
        spool.close()
        raise file_refusal(
            info.orig_filename,
            "unreadable_entry",
            _("the entry is compressed in a way Groundwork cannot read (%(error)s).")
            % {"error": error},
        ) from error
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
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

    Entries are recorded in the archive's order, one per file, each in the transaction of
    its item, so the first ``entries.count()`` files are done and are not read again. Any
    error ends the upload failed with a message saying where it stopped; what earlier
    entries added is kept, and the archive is removed either way.

    The upload's heartbeat lease is beaten after every entry, so the sweep queues it again
    when its worker dies; a second delivery while a live worker unpacks does nothing.
    """
    lease = Lease.claim(Upload.objects.filter(pk=upload_id, status=Upload.Status.UNPACKING))
    upload = Upload.objects.select_related("dataset", "created_by").get(pk=upload_id)
    if lease is None:
        return upload
    current = None
    try:
        with (
            default_storage.open(upload.archive.name, "rb") as stored,
            zipfile.ZipFile(stored) as archive,
        ):
            infos = _archive_check(archive, upload.archive_name)
            Upload.objects.filter(pk=upload.pk).update(entries_total=len(infos))
            recorded = upload.entries.count()
            seen = {info.orig_filename for info in infos[:recorded]}
            for info in infos[recorded:]:
                current = info.orig_filename
                _unpack_entry(upload, archive, info, seen)
                seen.add(current)
                lease.beat()
    except DomainError as error:
        return upload_failed(upload, error.message)
    except JobStopped:  # no longer unpacking (failed or removed meanwhile)
        upload.refresh_from_db()
        return upload
    except (zipfile.BadZipFile, OSError) as error:
        return upload_failed(
            upload, _("The archive cannot be read: %(error)s.") % {"error": str(error)}
        )
    except Exception as error:
        logger.exception("upload %s: unpacking stopped at %r", upload.pk, current)
        return upload_failed(
            upload,
            _("Unpacking stopped at “%(name)s” (%(error)s); the files before it were kept.")
            % {"name": file_name_shown(current or ""), "error": error.__class__.__name__},
        )
    archive_name = upload.archive.name
    Upload.objects.filter(pk=upload.pk, status=Upload.Status.UNPACKING).update(
        status=Upload.Status.DONE, archive="", finished_at=timezone.now()
    )
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
                contract_id=upload.contract_id,
            )

    _entry(upload, name, register=register)


def upload_failed(upload: Upload, message: str) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.FAILED, error=message, finished_at=timezone.now()
    )
    if upload.archive:
        default_storage.delete(upload.archive.name)
        Upload.objects.filter(pk=upload.pk).update(archive="")
    upload.refresh_from_db()
    return upload
