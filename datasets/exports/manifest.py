"""``manifest.json``: what an export is made of, written last so it can hash every member.

Keys, in this order: ``groundwork_version``, ``layout_version``, ``dataset``,
``spec_version``, ``spec_snapshot``, ``stage``, ``request`` (splits, format, images),
``counts`` (per split and in total), ``members`` (SHA-256 and size of every other member),
and ``provenance``: each item's ground-truth source and reference, streamed by item id.
No export id or time is written, so the same state gives the same manifest.
"""

from collections.abc import Iterable, Iterator

import orjson

from datasets.exports import GROUNDWORK_VERSION, SPEC_VERSION
from datasets.exports.archive import MemberHashes


def manifest_chunks(
    *,
    head: dict,
    counts: dict,
    hashes: MemberHashes,
    provenance: Iterable[tuple],
) -> Iterator[bytes]:
    """The manifest in pieces; ``counts`` and ``hashes`` are read once the other members
    are written, ``provenance`` yields (item id, split, source, source_ref) by item id."""
    yield b'{"groundwork_version":' + orjson.dumps(GROUNDWORK_VERSION)
    yield b',"layout_version":' + orjson.dumps(SPEC_VERSION)
    for key in ("dataset", "spec_version", "spec_snapshot", "stage", "request"):
        yield b',"' + key.encode() + b'":' + orjson.dumps(head[key])
    total = {"images": 0, "annotations": 0}
    for split_counts in counts.values():
        for key in total:
            total[key] += split_counts[key]
    yield b',"counts":' + orjson.dumps({"splits": counts, "total": total})
    members = {
        name: {"sha256": hashes.sha256[name], "size": hashes.size[name]} for name in hashes.sha256
    }
    yield b',"members":' + orjson.dumps(members)
    yield b',"provenance":['
    first = True
    for item_id, split, source, source_ref in provenance:
        line = {"item": item_id, "split": split, "source": source, "source_ref": source_ref}
        yield (b"" if first else b",") + orjson.dumps(line)
        first = False
    yield b"]}"
