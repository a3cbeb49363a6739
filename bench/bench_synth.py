"""Benchmark the synthetic photo generator.

Measures photos per second (generate + JPEG encode, one process) in normal and fast mode at
1024x768 and 4032x3024, and the wall time to write 100,000 fast-mode photos with their ground
truth (JPEG files + truth.jsonl, 2 worker processes) into a temporary folder.

Fast mode caches ink and backdrops, so its one-process rate is measured twice: "cold" (fresh
caches, as a short run sees it) and "warm" (the same photos again, caches filled, as the
bulk of a long run sees it).

    .venv/bin/python bench/bench_synth.py
    BENCH_SYNTH_COUNT=5000 .venv/bin/python bench/bench_synth.py   # a quicker run

Results are printed as a table and written to bench/results/synth.json.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synth import CATEGORY_CELLS, generate_photo, write_photos  # noqa: E402
from synth.photo import clear_caches  # noqa: E402
from synth.writer import jpeg_options  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "synth.json"
BULK_COUNT = int(os.environ.get("BENCH_SYNTH_COUNT", "100000"))
BULK_SIZE = (1024, 768)
BULK_WORKERS = 2
RATE_CASES = (
    # (size, fast, photos: a multiple of the 14 category cells)
    ((1024, 768), False, 28),
    ((1024, 768), True, 56),
    ((4032, 3024), False, 14),
    ((4032, 3024), True, 14),
)


def _time_photos(*, size: tuple[int, int], fast: bool, count: int) -> float:
    options = jpeg_options(fast=fast)
    started = time.perf_counter()
    for index in range(count):
        capture, writing = CATEGORY_CELLS[index % len(CATEGORY_CELLS)]
        image, _ = generate_photo(
            seed=1, index=index, capture=capture, writing=writing, size=size, fast=fast
        )
        image.save(io.BytesIO(), **options)
    return time.perf_counter() - started


def _row(size: tuple[int, int], mode: str, count: int, seconds: float) -> dict:
    return {
        "size": f"{size[0]}x{size[1]}",
        "mode": mode,
        "photos": count,
        "seconds": round(seconds, 2),
        "photos_per_second": round(count / seconds, 2),
    }


def _rates(*, size: tuple[int, int], fast: bool, count: int) -> list[dict]:
    clear_caches()
    # warm the imports (and fonts) on other indices, then time
    for capture, writing in CATEGORY_CELLS[:2]:
        generate_photo(seed=999, index=0, capture=capture, writing=writing, size=size, fast=fast)
    seconds = _time_photos(size=size, fast=fast, count=count)
    if not fast:
        return [_row(size, "normal", count, seconds)]
    warm = _time_photos(size=size, fast=fast, count=count)
    return [_row(size, "fast cold", count, seconds), _row(size, "fast warm", count, warm)]


def _bulk(*, count: int) -> dict:
    clear_caches()  # the timed run builds its own caches, as a fresh process would
    folder = Path(tempfile.mkdtemp(prefix="bench_synth_"))
    try:
        started = time.perf_counter()
        truth = write_photos(
            out_dir=folder,
            count=count,
            seed=1,
            size=BULK_SIZE,
            fast=True,
            workers=BULK_WORKERS,
        )
        seconds = time.perf_counter() - started
        lines = sum(1 for _ in truth.open(encoding="utf-8"))
        megabytes = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "photos": count,
        "truth_lines": lines,
        "size": f"{BULK_SIZE[0]}x{BULK_SIZE[1]}",
        "workers": BULK_WORKERS,
        "seconds": round(seconds, 1),
        "minutes": round(seconds / 60, 2),
        "photos_per_second": round(count / seconds, 1),
        "megabytes_written": round(megabytes, 1),
    }


def run() -> dict:
    """Run the benchmark; return (and save) its results."""
    rates = [
        row for size, fast, count in RATE_CASES for row in _rates(size=size, fast=fast, count=count)
    ]
    bulk = _bulk(count=BULK_COUNT)
    results = {
        "benchmark": "synth",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rates_one_process": rates,
        "bulk_fast": bulk,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def print_table(results: dict) -> None:
    print(f"{'size':>10} {'mode':>9} {'photos':>7} {'seconds':>8} {'photos/s':>9}")
    for row in results["rates_one_process"]:
        print(
            f"{row['size']:>10} {row['mode']:>9} {row['photos']:>7} "
            f"{row['seconds']:>8} {row['photos_per_second']:>9}"
        )
    bulk = results["bulk_fast"]
    print(
        f"\n{bulk['photos']} fast photos at {bulk['size']} with truth.jsonl, "
        f"{bulk['workers']} workers: {bulk['seconds']} s ({bulk['minutes']} min, "
        f"{bulk['photos_per_second']} photos/s, {bulk['megabytes_written']} MB)"
    )


if __name__ == "__main__":
    print_table(run())
