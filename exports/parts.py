"""Chunk parts: what one worker made of one item-id range, kept until the final step joins them.

A part is a zip (members stored, not compressed) with

- ``files/<path>``: binary members of the final layout (crops), in item order;
- ``streams/<name>.jsonl``: JSON lines the projection wrote into named streams (COCO images
  and boxes, YOLO labels, ``labels.jsonl``, provenance…), in item order;
- ``counts.json``: per split (items, images, annotations, unlabeled) and per category.

While a chunk is built, its streams grow in local temporary files, so memory stays flat.
"""

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from django.core.files.storage import default_storage

_READ = 1 << 20
#: What a part counts for each split.
COUNTED = ("items", "images", "annotations", "unlabeled")


def file_chunks(name: str) -> Iterator[bytes]:
    """A stored file's bytes, a megabyte at a time."""
    with default_storage.open(name, "rb") as handle:
        yield from iter(lambda: handle.read(_READ), b"")


def _local_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(_READ), b"")


def empty_counts() -> dict:
    return {"splits": {}, "categories": {}}


def counts_add(total: dict, counts: dict) -> dict:
    """Add a part's counts into ``total`` (both as ``empty_counts`` makes them)."""
    for split, numbers in counts["splits"].items():
        into = total["splits"].setdefault(split, dict.fromkeys(COUNTED, 0))
        for key, value in numbers.items():
            into[key] = into.get(key, 0) + value
    for key, splits in counts["categories"].items():
        into = total["categories"].setdefault(key, {})
        for split, value in splits.items():
            into[split] = into.get(split, 0) + value
    return total


class PartWriter:
    """The streams and counts of the chunk being built; ``members`` yields the part's zip."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._streams: dict[str, list] = {}  # name → [path, open file, lines]
        self.counts = empty_counts()

    def line(self, stream: str, value) -> None:
        """Append a value to a stream as one JSON line."""
        self.raw(stream, orjson.dumps(value))

    def raw(self, stream: str, line: bytes) -> int:
        """Append one line (bytes without a newline); returns the stream's line count."""
        if stream not in self._streams:
            path = self.folder / f"{len(self._streams)}.jsonl"
            self._streams[stream] = [path, path.open("wb"), 0]
        entry = self._streams[stream]
        entry[1].write(line + b"\n")
        entry[2] += 1
        return entry[2]

    def count(self, split: str, category_key: str, **numbers: int) -> None:
        into = self.counts["splits"].setdefault(split, dict.fromkeys(COUNTED, 0))
        for key, value in numbers.items():
            into[key] += value
        if "items" in numbers:
            per_split = self.counts["categories"].setdefault(category_key, {})
            per_split[split] = per_split.get(split, 0) + numbers["items"]

    def members(self, made: Iterable[tuple[str, bytes]]) -> Iterator[tuple]:
        """The part's members: the binary ones as ``made`` yields them, then the streams."""
        for path, data in made:
            yield f"files/{path}", (data,), True
        for name, (path, handle, _lines) in sorted(self._streams.items()):
            handle.close()
            yield f"streams/{name}.jsonl", _local_chunks(path), True
        yield "counts.json", (orjson.dumps(self.counts),), True


#: A chunk's temporary folder is ``groundwork-part-<pid>-…``: the sweep removes those of
#: processes that no longer run (a killed worker's).
PART_PREFIX = "groundwork-part-"


def part_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=f"{PART_PREFIX}{os.getpid()}-")


class PartSet:
    """The parts of an export in chunk order, opened one at a time as they are read."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def _parts(self) -> Iterator[tuple[int, zipfile.ZipFile]]:
        """(part number, open part) in chunk order."""
        for number, name in enumerate(self.names):
            with default_storage.open(name, "rb") as handle, zipfile.ZipFile(handle) as part:
                yield number, part

    def _stream_infos(self, stream: str) -> Iterator[tuple[int, zipfile.ZipFile, zipfile.ZipInfo]]:
        for number, part in self._parts():
            try:
                yield number, part, part.getinfo(f"streams/{stream}.jsonl")
            except KeyError:
                continue

    def stream(self, stream: str) -> Iterator[bytes]:
        """The stream's bytes over every part, in order (a JSON-lines member)."""
        for _number, part, info in self._stream_infos(stream):
            with part.open(info) as member:
                yield from iter(lambda: member.read(_READ), b"")

    def raw_lines(self, stream: str) -> Iterator[tuple[int, bytes]]:
        """(part number, line without its newline) over every part, in order."""
        for number, part, info in self._stream_infos(stream):
            with part.open(info) as member:
                for line in member:
                    yield number, line.rstrip(b"\n")

    def lines(self, stream: str) -> Iterator:
        """The stream's values over every part, in order."""
        for _number, part, info in self._stream_infos(stream):
            with part.open(info) as member:
                for line in member:
                    yield orjson.loads(line)

    def files(self, prefix: str) -> Iterator[tuple]:
        """The binary members under ``prefix`` over every part, in order, as zip members."""
        for _number, part in self._parts():
            for info in part.infolist():
                if info.filename.startswith("files/" + prefix):
                    yield info.filename.removeprefix("files/"), (part.read(info),), True
