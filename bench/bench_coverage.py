"""Benchmark the coverage dashboard, its API and the item browser on a million items.

Loads, once, 1,000,000 items over 40 categories (two axes of 20) and 20 cell quotas into
its own PostgreSQL database ``bench_coverage`` (on the server of DATABASE_URL) with COPY,
then rebuilds the counters with ``coverage_recount`` and the daily counts from the items'
days. A later run reuses the loaded data. Then it times, as a signed-in planner through
Django's test Client, 30 requests after 3 warm-ups each: the coverage page, the coverage
API, the item browser's first page and its API (reported as missing while they 404), and
``coverage_report`` alone; and, as the ceiling of the same run, the bare SQL that reads
the counters. Target: p95 under 150 ms.

    .venv/bin/python bench/bench_coverage.py
    BENCH_COVERAGE_ITEMS=100000 .venv/bin/python bench/bench_coverage.py   # a quicker load

Results are printed as a table and written to bench/results/coverage.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "coverage.json"
DATABASE = "bench_coverage"
ITEMS = int(os.environ.get("BENCH_COVERAGE_ITEMS", "1000000"))
AXES = {"capture": 20, "writing": 20}
CELLS = 20
CHUNK = 100_000
WARMUPS, REQUESTS = 3, 30
TARGET_P95_MS = 150
DATASET_NAME = f"Coverage benchmark ({ITEMS} items)"
SEED = 20240501


def _taxonomy(dataset):
    from datasets import services

    categories = {}
    for slug, size in AXES.items():
        axis = services.axis_create(dataset=dataset, name=slug.title(), slug=slug, by=None)
        categories[slug] = [
            services.category_create(
                axis=axis,
                name=f"{slug} {n}",
                slug=f"{slug}-{n}",
                quota_target=ITEMS // size * 2 // (1 + n % 3),
                by=None,
            )
            for n in range(size)
        ]
    first, second = categories.values()
    for n in range(CELLS):
        services.cell_quota_set(
            dataset=dataset,
            first=first[n % len(first)],
            second=second[(n * 7) % len(second)],
            quota_target=ITEMS // 200,
            by=None,
        )
    return categories


def _load(dataset, categories) -> dict:
    """COPY the items and their categories in bounded chunks; then the counters."""
    from django.db import connection, transaction
    from django.utils import timezone

    from datasets import services
    from datasets.models import Item, ItemCategory

    rng = random.Random(SEED)
    axes = [(cats[0].axis_id, cats) for cats in categories.values()]
    weights = {axis_id: [1 / (n + 1) for n in range(len(cats))] for axis_id, cats in axes}
    statuses, status_weights = ["new", "in_labeling", "labeled", "accepted"], [50, 15, 15, 20]
    splits, split_weights = ["", "train", "val", "test"], [30, 56, 7, 7]
    now = timezone.now()
    item_table, link_table = Item._meta.db_table, ItemCategory._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {item_table}")
        next_id = cursor.fetchone()[0] + 1
    raw = connection.connection  # psycopg connection under Django's
    with transaction.atomic():
        for chunk_start in range(0, ITEMS, CHUNK):
            size = min(CHUNK, ITEMS - chunk_start)
            links = []
            with raw.cursor() as cursor:
                columns = (
                    "id, dataset_id, sha256, original, original_name, image, rendition, "
                    "thumbnail, width, height, processing, split, status, category_key, created_at"
                )
                with cursor.copy(f"COPY {item_table} ({columns}) FROM STDIN") as copy:
                    for offset in range(size):
                        pk = next_id + chunk_start + offset
                        chosen = []
                        for axis_id, cats in axes:
                            if rng.random() < 0.95:
                                category = rng.choices(cats, weights[axis_id])[0]
                                chosen.append(category.pk)
                                links.append((pk, category.pk, axis_id))
                        digest = f"{pk:064x}"
                        folder = f"items/{dataset.pk}/{digest[:2]}/{digest}"
                        copy.write_row(
                            (
                                pk,
                                dataset.pk,
                                digest,
                                f"{folder}.jpg",
                                f"photo-{pk}.jpg",
                                f"{folder}.jpg",
                                f"{folder}.screen.jpg",
                                f"{folder}.thumb.jpg",
                                4032,
                                3024,
                                "ready",
                                rng.choices(splits, split_weights)[0],
                                rng.choices(statuses, status_weights)[0],
                                services.category_key_for(chosen),
                                now
                                - timedelta(days=rng.randrange(60), seconds=rng.randrange(86400)),
                            )
                        )
                with cursor.copy(
                    f"COPY {link_table} (item_id, category_id, axis_id) FROM STDIN"
                ) as copy:
                    for row in links:
                        copy.write_row(row)
            print(f"  loaded {chunk_start + size} items", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM "
                f"{item_table}))",
                [item_table],
            )
    copied = time.perf_counter() - started
    started = time.perf_counter()
    services.coverage_recount(dataset=dataset)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO datasets_coveragedaily (dataset_id, category_key, day, count) "
            "SELECT dataset_id, category_key, (created_at AT TIME ZONE 'UTC')::date, COUNT(*) "
            f"FROM {item_table} WHERE dataset_id = %s GROUP BY 1, 2, 3",
            [dataset.pk],
        )
        for table in (item_table, link_table, "datasets_coveragecount", "datasets_coveragedaily"):
            cursor.execute(f"ANALYZE {table}")
    return {
        "copy_seconds": round(copied, 1),
        "recount_seconds": round(time.perf_counter() - started, 1),
    }


def _dataset() -> tuple[object, dict]:
    """The loaded benchmark dataset, loading it when it is missing or incomplete."""
    from django.db import connection
    from django.db.models import Sum

    from datasets import services
    from datasets.models import CoverageCount, Dataset

    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is not None:
        counted = CoverageCount.objects.filter(dataset=dataset).aggregate(n=Sum("count"))["n"]
        if counted == ITEMS:
            return dataset, {"reused": True}
        print("  an incomplete load is there: removing it", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM datasets_itemcategory WHERE item_id IN "
                "(SELECT id FROM datasets_item WHERE dataset_id = %s)",
                [dataset.pk],
            )
            cursor.execute("DELETE FROM datasets_item WHERE dataset_id = %s", [dataset.pk])
        dataset.delete()
    dataset = services.dataset_create(name=DATASET_NAME, by=None)
    categories = _taxonomy(dataset)
    return dataset, {"reused": False, **_load(dataset, categories)}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time(name: str, call) -> dict:
    for _ in range(WARMUPS):
        outcome = call()
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        outcome = call()
        times.append((time.perf_counter() - started) * 1000)
    row = {
        "name": name,
        "requests": REQUESTS,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }
    if isinstance(outcome, int):
        row["status"] = outcome
        row["missing"] = outcome == 404
    row["under_target"] = row["p95_ms"] < TARGET_P95_MS
    return row


def run() -> list[dict]:
    """Load (or reuse) the data, time each read; return (and save) one dict per measurement."""
    bench_database(DATABASE, bench="bench_coverage")
    from django.db import connection
    from django.test import Client

    from accounts.models import Role, User
    from datasets.selectors import coverage_report

    dataset, load = _dataset()
    planner, _ = User.objects.get_or_create(
        username="bench-coverage-planner", defaults={"role": Role.PLANNER}
    )
    client = Client()
    client.force_login(planner)

    def get(path: str):
        return lambda: client.get(path).status_code

    def bare_sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT category_key, split, status, count FROM datasets_coveragecount "
                "WHERE dataset_id = %s",
                [dataset.pk],
            )
            return len(cursor.fetchall()) and None

    results = [
        {"name": "load", "items": ITEMS, "categories": sum(AXES.values()), "cells": CELLS, **load}
    ]
    results += [
        _time("dataset page", get(f"/datasets/{dataset.pk}/")),
        _time("coverage page", get(f"/datasets/{dataset.pk}/coverage/")),
        _time("coverage API", get(f"/api/v1/datasets/{dataset.pk}/coverage/")),
        _time("coverage CSV", get(f"/datasets/{dataset.pk}/coverage.csv")),
        _time("item browser page", get(f"/datasets/{dataset.pk}/items/")),
        _time("item browser API", get(f"/api/v1/datasets/{dataset.pk}/items/")),
        _time("coverage_report()", lambda: coverage_report(dataset=dataset) and None),
        _time("ceiling: bare counter SQL", bare_sql),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM datasets_coveragecount WHERE dataset_id = %s", [dataset.pk]
        )
        results[0]["counter_rows"] = cursor.fetchone()[0]
    results[0]["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return results


def print_table(results: list[dict]) -> None:
    load = results[0]
    how = (
        "reused"
        if load.get("reused")
        else f"COPY {load.get('copy_seconds')} s, recount {load.get('recount_seconds')} s"
    )
    print(
        f"{load['items']} items, {load['categories']} categories, {load['cells']} cells, "
        f"{load.get('counter_rows')} counter rows ({how})"
    )
    print(
        f"{'what':<28} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  p95<{TARGET_P95_MS}"
    )
    for row in results[1:]:
        status = row.get("status", "")
        note = "missing (404)" if row.get("missing") else ("yes" if row["under_target"] else "NO")
        print(
            f"{row['name']:<28} {status!s:>6} {row['p50_ms']:>8} {row['p95_ms']:>8} "
            f"{row['max_ms']:>8}  {note}"
        )


if __name__ == "__main__":
    print_table(run())
