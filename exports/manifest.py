"""``manifest.json``: what an export is made of, written last so it can hash every member.

Keys, in this order: ``groundwork_version``, ``layout_version``, ``dataset``,
``spec_version``, ``spec_snapshot``, ``stage``, ``request`` (splits, format, images),
``counts`` (per split, in total and per category: items of each split), ``members``
(SHA-256 and size of every other member), and ``provenance``: by item id, each item's
split and the ground-truth version the export pinned (``version``, its number for the item)
with that version's provenance — ``source``, ``source_ref``, ``task_id``, ``annotation_id``,
``annotation_version``, ``guide_version_ids``, ``spec_version`` (the one it was accepted
under), ``accepted_by`` (a user id) and ``accepted_at``. No export id or export time is
written, so the same pinned versions give the same manifest.
"""

from collections.abc import Iterable, Iterator

import orjson

from exports import GROUNDWORK_VERSION, SPEC_VERSION
from exports.archive import MemberHashes


def category_counts(by_key: dict, names: dict[int, str]) -> dict:
    """Items per split of each category (``axis/category``), from counts per category key."""
    counts: dict[str, dict[str, int]] = {}
    for key, splits in by_key.items():
        labels = [names.get(int(pk), pk) for pk in key.split(".") if pk] or ["uncategorised"]
        for label in labels:
            into = counts.setdefault(label, {})
            for split, value in splits.items():
                into[split] = into.get(split, 0) + value
    return {label: counts[label] for label in sorted(counts)}


def manifest_chunks(
    *,
    head: dict,
    counts: dict,
    hashes: MemberHashes,
    provenance: Iterable[bytes],
) -> Iterator[bytes]:
    """The manifest in pieces; ``hashes`` is read once the other members are written;
    ``provenance`` is the JSON-lines stream of each item's version, by item id."""
    yield b'{"groundwork_version":' + orjson.dumps(GROUNDWORK_VERSION)
    yield b',"layout_version":' + orjson.dumps(SPEC_VERSION)
    for key in ("dataset", "spec_version", "spec_snapshot", "stage", "request"):
        yield b',"' + key.encode() + b'":' + orjson.dumps(head[key])
    yield b',"counts":' + orjson.dumps(counts, option=orjson.OPT_SORT_KEYS)
    yield b',"members":{'
    separator = b""
    for entry in hashes.entries():
        yield separator + entry
        separator = b","
    yield b"}"
    yield b',"provenance":['
    pending, separator = b"", b""
    for chunk in provenance:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield separator + line
            separator = b","
    yield b"]}"
