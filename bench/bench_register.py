"""Benchmark image registration: hash, header check, storage, then the worker's renditions.

Photo-sized JPEGs (4032×3024, a quarter of them turned by EXIF orientation 6, as phones save
portrait photos) are registered through ``datasets.services.item_register`` (what an upload
request does), then processed by real Celery workers (upright image, ~2048 px rendition,
thumbnail) with one and with two worker processes. The ceiling is Pillow alone doing the same
decoding and encoding on the same files, in one and in two processes, in the same run.

    .venv/bin/python bench/bench_register.py
    BENCH_REGISTER_ITEMS=2000 .venv/bin/python bench/bench_register.py   # a quicker run

Needs PostgreSQL and Redis (DATABASE_URL's server, database ``bench_register``; Redis db 8).
Results: bench/results/register.json.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "register.json"
WORK = ROOT / "var" / "bench" / "register"
COUNT = int(os.environ.get("BENCH_REGISTER_ITEMS", "10000"))
SIZE = (4032, 3024)
BASES = 24
DATABASE = "bench_register"


def _environment() -> dict[str, str]:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    return {
        **os.environ,
        "DATABASE_URL": server.rsplit("/", 1)[0] + f"/{DATABASE}",
        "REDIS_URL": "redis://127.0.0.1:6379/8",  # tests use 1 and up, bench_export 9
        "MEDIA_ROOT": str(WORK / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }


def run() -> dict:
    """Measure in a child process so its database and broker stay its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--inner"],
        env=_environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=4 * 3600,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    results = json.loads(RESULTS.read_text())
    return results


def print_table(results: dict) -> None:
    print(f"{results['items']} JPEGs of {results['size']} ({results['mb_per_file']:.1f} MB each)")
    print(f"{'step':<44}{'items/s':>10}{'vs ceiling':>12}")
    for row in results["rows"]:
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") else ""
        print(f"{row['step']:<44}{row['rate']:>10.1f}{ratio:>12}")


# The sources --------------------------------------------------------------------------------


def _sources() -> list[Path]:
    """COUNT distinct photo-sized JPEGs: BASES generated photos, each copy made unique by a
    JPEG comment, so every file hashes differently but decodes the same."""
    from PIL import Image

    from synth import category_for, generate_photo

    folder = WORK / f"src-{COUNT}"
    paths = [folder / f"IMG_{index:05d}.jpg" for index in range(COUNT)]
    if folder.exists() and all(path.exists() for path in paths[-5:]):
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    bases = []
    for index in range(BASES):
        capture, writing = category_for(index=index)
        image, _truth = generate_photo(
            seed=7, index=index, capture=capture, writing=writing, size=SIZE, fast=True
        )
        buffer = io.BytesIO()
        exif = Image.Exif()
        if index % 4 == 3:  # portrait photos: stored sideways with orientation 6
            image = image.transpose(Image.Transpose.ROTATE_90)
            exif[0x0112] = 6
        image.save(buffer, format="JPEG", quality=88, exif=exif)
        bases.append(buffer.getvalue())
    for index, path in enumerate(paths):
        base = bases[index % BASES]
        comment = f"groundwork bench copy {index}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        path.write_bytes(base[:2] + segment + base[2:])
    return paths


# The ceiling: Pillow alone ---------------------------------------------------------------------


def _pillow_alone(path: Path) -> int:
    from PIL import Image, ImageOps

    from datasets.services.renditions import RENDITION_SIDE, THUMBNAIL_SIDE, draft_scale

    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as image:
        turned = image.getexif().get(0x0112, 1) not in (0, 1)
        if turned:
            image.load()
            screen = ImageOps.exif_transpose(image)
            screen.convert("RGB").save(io.BytesIO(), format="JPEG", quality=95)
        else:
            scale = draft_scale(*image.size)
            image.draft("RGB", (image.width // scale, image.height // scale))
            image.load()
            screen = image
        screen = screen.convert("RGB")
        screen.thumbnail((RENDITION_SIDE, RENDITION_SIDE), Image.Resampling.BILINEAR)
        screen.save(io.BytesIO(), format="JPEG", quality=85)
        screen.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BILINEAR)
        screen.save(io.BytesIO(), format="JPEG", quality=80)
    return 1


def _ceiling(paths: list[Path], processes: int) -> float:
    started = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        sum(pool.imap_unordered(_pillow_alone, paths, chunksize=8))
    return len(paths) / (time.perf_counter() - started)


# Groundwork ----------------------------------------------------------------------------------


def _database_fresh() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _workers(processes: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={processes}",
            "--loglevel=warning",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=(WORK / f"worker-{processes}.log").open("wb"),
    )


def _process_with(processes: int, item_ids: list[int]) -> float:
    from config.celery import app
    from datasets.models import Item
    from datasets.tasks import item_process_task

    Item.objects.update(processing=Item.Processing.QUEUED, rendition="", thumbnail="")
    app.control.purge()
    worker = _workers(processes)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5) and time.monotonic() < deadline:
            pass
        started = time.perf_counter()
        for item_id in item_ids:
            item_process_task.delay(item_id)
        limit = time.monotonic() + 3 * 3600
        while Item.objects.filter(processing=Item.Processing.QUEUED).exists():
            if time.monotonic() > limit or worker.poll() is not None:
                raise RuntimeError("the workers stopped or took too long")
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    failed = Item.objects.exclude(processing=Item.Processing.READY).count()
    if failed:
        raise RuntimeError(f"{failed} items were not processed")
    return len(item_ids) / elapsed


def inner() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    paths = _sources()
    _database_fresh()
    from django.db import connections

    connections.close_all()
    call_command("migrate", verbosity=0)
    shutil.rmtree(WORK / "media", ignore_errors=True)

    from config.celery import app
    from datasets import services

    app.control.purge()
    dataset = services.dataset_create(name="Register bench", by=None)
    started = time.perf_counter()
    item_ids = []
    for path in paths:
        with path.open("rb") as file:
            item, _created = services.item_register(dataset=dataset, file=file, name=path.name)
        item_ids.append(item.pk)
    register_rate = len(paths) / (time.perf_counter() - started)
    app.control.purge()  # the commits queued each item; the runs below queue them again

    ceiling = {n: _ceiling(paths, n) for n in (1, 2)}
    workers = {n: _process_with(n, item_ids) for n in (1, 2)}
    pipeline = {n: 1 / (1 / register_rate + 1 / workers[n]) for n in (1, 2)}
    rows = [
        {"step": "register (hash, header, store; request side)", "rate": register_rate},
        {"step": "Pillow alone, 1 process (ceiling)", "rate": ceiling[1]},
        {"step": "Pillow alone, 2 processes (ceiling)", "rate": ceiling[2]},
    ]
    for n in (1, 2):
        rows.append(
            {
                "step": f"worker renditions, {n} worker process{'es' if n > 1 else ''}",
                "rate": workers[n],
                "ratio": workers[n] / ceiling[n],
            }
        )
    for n in (1, 2):
        rows.append(
            {
                "step": f"whole registration, {n} worker{'s' if n > 1 else ''}",
                "rate": pipeline[n],
                "ratio": pipeline[n] / ceiling[n],
            }
        )
    results = {
        "items": len(paths),
        "size": f"{SIZE[0]}x{SIZE[1]}",
        "mb_per_file": paths[0].stat().st_size / 1e6,
        "rows": rows,
        "two_workers_speedup": workers[2] / workers[1],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(WORK / "media", ignore_errors=True)


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(run())
