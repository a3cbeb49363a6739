"""Write synthetic photos to a folder: JPEG files and one ``truth.jsonl`` line per photo."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

from synth import fast as fast_mode
from synth.photo import generate_photos

JPEG_QUALITY = 90
# fast mode: about 20 % quicker to encode and 30 % smaller files (4:2:0 chroma, as at 90)
FAST_JPEG_QUALITY = 85
TRUTH_FILE = "truth.jsonl"
_CHUNK = 64
# from this many fast photos on, worker processes share caches built once before they fork;
# fewer photos touch too few formulas for typesetting them all to pay
WARM_FROM = 2500


def photo_file_name(index: int) -> str:
    return f"photo_{index:06d}.jpg"


def jpeg_options(*, fast: bool) -> dict:
    """Pillow's JPEG save options for a photo of either mode."""
    return {"format": "JPEG", "quality": FAST_JPEG_QUALITY if fast else JPEG_QUALITY}


def _encode_chunk(args: tuple[int, int, int, tuple[int, int], bool, str]) -> list[str]:
    start, count, seed, size, fast, out_dir = args
    options = jpeg_options(fast=fast)
    lines = []
    for index, image, truth in generate_photos(
        count=count, seed=seed, size=size, fast=fast, start=start
    ):
        name = photo_file_name(index)
        image.save(Path(out_dir) / name, **options)
        record = {
            "file": name,
            "width": image.width,
            "height": image.height,
            "annotation": truth,
        }
        lines.append(json.dumps(record, separators=(",", ":"), sort_keys=True))
    return lines


def _chunks(
    count: int, seed: int, size: tuple[int, int], fast: bool, out_dir: str
) -> Iterator[tuple[int, int, int, tuple[int, int], bool, str]]:
    for start in range(0, count, _CHUNK):
        yield (start, min(_CHUNK, count - start), seed, size, fast, out_dir)


def warm_fast_caches(*, seed: int, size: tuple[int, int], workers: int = 1) -> None:
    """Build fast mode's caches for (seed, size): every formula's ink and every backdrop.

    Processes forked afterwards share them instead of each building its own.
    """
    width, height = size
    fast_mode.warm_ink(height, workers=workers)
    fast_mode.warm_backdrops(seed, width, height)


def write_photos(
    *,
    out_dir: Path,
    count: int,
    seed: int,
    size: tuple[int, int] = (1024, 768),
    fast: bool = False,
    workers: int = 1,
) -> Path:
    """Write *count* photos and ``truth.jsonl`` into *out_dir*; return the truth file's path.

    The output depends only on (count, seed, size, fast), never on *workers*. With more than
    one worker it forks: call it from a process that runs no other threads (the command line,
    a benchmark), never from a web or test process that has started V8 or a server thread.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_path = out_dir / TRUTH_FILE
    jobs = _chunks(count, seed, size, fast, str(out_dir))
    with truth_path.open("w", encoding="utf-8") as truth:
        if workers <= 1:
            for lines in map(_encode_chunk, jobs):
                truth.writelines(line + "\n" for line in lines)
        else:
            if fast and count >= WARM_FROM:
                warm_fast_caches(seed=seed, size=size, workers=workers)
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                for lines in pool.imap(_encode_chunk, jobs):
                    truth.writelines(line + "\n" for line in lines)
    return truth_path
