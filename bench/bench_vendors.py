"""Benchmark the vendors issue: cutting batches, their preview, cost, and statement CSVs.

Data, loaded once into its own PostgreSQL database ``bench_vendors`` (on the server of
DATABASE_URL; ``BENCH_VENDORS_DATABASE`` names another) and reused while its counts match:

- 1,000,000 items (``BENCH_VENDORS_ITEMS``) of one dataset with the formula → char schema,
  made by ``INSERT … SELECT generate_series`` (no image files: items need only their
  columns). Each item has a category on two axes (capture: 10, writing: 4) through
  ItemCategory and ``category_key``; 70 % already hold accepted ``formula`` boxes
  (``truth_types``), 5 % are accepted. Coverage counters by ``coverage_recount``.
- 1,000,000 ledger lines (``BENCH_VENDORS_LINES``) over 10 contracts, accepted work spread
  over 60 days, with the LedgerDay rollup rows made from them by one grouped INSERT (so the
  two agree); two of the contracts hold the 100,000- and 10,000-line statements of last
  month (Asia/Seoul).

Measured, each beside a ceiling of the same run:

1. ``labeling.services.batch_cut`` of 10,000 tasks by a two-category need (5,000 + 5,000 of
   a "box characters" kind needing formulas): wall time and queries, with no earlier batch
   and with 50 earlier batches of 2,000 tasks holding items of the same categories. Target:
   under 3 s both, the second no slower than the first by much. Ceiling: the bare SQL
   selecting the same eligible ids (one query per category, the same NOT EXISTS).
2. ``labeling.services.batch_preview`` of the same need: p95 over 20 runs (after 2 warm-ups)
   in both states. Target: p95 under 300 ms. Ceiling: the bare eligible-id SQL.
3. ``vendors.selectors.cost_summary`` of the 10 contracts: p95 over 30 runs. Target: p95
   under 150 ms. Ceilings: ``SELECT sum(…)`` over the ledger lines, and over LedgerDay.
4. The statement CSV through the real view (``/vendors/statements/<id>/csv/``, Django's
   test Client, streamed content consumed chunk by chunk) at 10,000 and 100,000 lines: wall
   time, bytes, the peak of Python allocations while streaming (tracemalloc), how far the
   resident memory rose while streaming (VmRSS sampled) and the growth of its peak (VmHWM).
   Target: the peak does not grow with the lines (100,000 within 2× of 10,000). Ceiling:
   ``COPY (SELECT …) TO STDOUT`` of the same lines.

A service another part builds (batch_cut, batch_preview, cost_summary, statement_for, the
CSV view) that is not there yet is reported as "not yet built"; its ceiling is still measured.
Each cut runs on a clean slate: the bench's batches, tasks, holds and reservations are
removed and the items' statuses and counters restored first.

    .venv/bin/python bench/bench_vendors.py
    BENCH_VENDORS_ONLY=cost,csv .venv/bin/python bench/bench_vendors.py   # some parts

Results: a table, and bench/results/vendors.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "vendors.json"
DATABASE = os.environ.get("BENCH_VENDORS_DATABASE", "bench_vendors")
ITEMS = int(os.environ.get("BENCH_VENDORS_ITEMS", "1000000"))
LINES = int(os.environ.get("BENCH_VENDORS_LINES", "1000000"))
PARTS = ("cut", "cost", "csv")
ONLY = os.environ.get("BENCH_VENDORS_ONLY", ",".join(PARTS)).split(",")
CAPTURE, WRITING = 10, 4
CUT_EACH = 5_000  # per category, two categories: a batch of 10,000
EARLIER_BATCHES = 50
EARLIER_SIZE = int(os.environ.get("BENCH_VENDORS_EARLIER_SIZE", "2000"))
PREVIEW_RUNS, COST_RUNS, WARMUPS = 20, 30, 2
STATEMENT_SIZES = (10_000, 100_000)
OTHER_CONTRACTS = 8
TARGETS = {"cut_s": 3.0, "preview_p95_ms": 300, "cost_p95_ms": 150, "csv_peak_growth": 2.0}
DATASET_NAME = f"Vendors benchmark ({ITEMS} items)"
NOT_BUILT = "not yet built"


# --- set-up ------------------------------------------------------------------------------


def _sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _world() -> dict:
    """The dataset, its taxonomy and schema, a vendor, the kind and the cut's contract:
    found again by name, made (through the datasets services) when missing."""
    from django.utils import timezone

    from accounts.models import Role, User
    from datasets import services
    from datasets.models import Axis, Category, Dataset, RegionType
    from labeling.models import TaskKind
    from vendors.models import Contract, ContractPrice, Vendor

    planner, _ = User.objects.get_or_create(
        username="bench-vendors-planner", defaults={"role": Role.PLANNER}
    )
    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is None:
        dataset = services.dataset_create(name=DATASET_NAME, by=None)
        formula = services.region_type_create(
            dataset=dataset, name="Formula", slug="formula", by=None
        )
        services.attribute_create(
            region_type=formula, name="latex", kind="latex", required=True, by=None
        )
        services.region_type_create(
            dataset=dataset, name="Char", slug="char", top_level=False, parents=["formula"], by=None
        )
        for slug, size in (("capture", CAPTURE), ("writing", WRITING)):
            axis = services.axis_create(dataset=dataset, name=slug.title(), slug=slug, by=None)
            for n in range(size):
                services.category_create(
                    axis=axis,
                    name=f"{slug} {n}",
                    slug=f"{slug}-{n}",
                    quota_target=ITEMS // size,
                    by=None,
                )
    types = {t.slug: t for t in RegionType.objects.filter(dataset=dataset)}
    axes = {a.slug: a for a in Axis.objects.filter(dataset=dataset)}
    categories = {
        slug: list(Category.objects.filter(axis=axis).order_by("id")) for slug, axis in axes.items()
    }
    kind = TaskKind.objects.filter(dataset=dataset, slug="box-chars").first()
    if kind is None:
        kind = TaskKind.objects.create(dataset=dataset, name="Box characters", slug="box-chars")
        kind.types.set([types["char"]])
        kind.requires.set([types["formula"]])
    vendor, _ = Vendor.objects.get_or_create(name="Bench vendor")
    today = timezone.localdate()

    def contract(name: str, *, task_kind=None, zone="Asia/Seoul", price="0.85", quantity=10**7):
        found = Contract.objects.filter(vendor=vendor, name=name).first()
        if found:
            return found
        made = Contract.objects.create(
            vendor=vendor,
            dataset=dataset,
            kind=Contract.Kind.LABELING,
            task_kind_id=(task_kind or kind).pk,
            name=name,
            unit=Contract.Unit.TASK,
            currency="USD",
            unit_price=price,
            quantity=quantity,
            budget="100000000",
            starts_on=today - timedelta(days=400),
            ends_on=today + timedelta(days=400),
            time_zone=zone,
        )
        ContractPrice.objects.create(
            contract=made, unit_price=made.unit_price, effective_at=timezone.now() - timedelta(400)
        )
        made.refresh_from_db()  # decimals as the database gives them back, not the strings
        return made

    ledger = [contract(f"Statement {size}") for size in STATEMENT_SIZES]
    ledger += [
        contract(f"Cost {n}", zone=("UTC", "Asia/Seoul", "America/New_York")[n % 3])
        for n in range(OTHER_CONTRACTS)
    ]
    return {
        "planner": planner,
        "dataset": dataset,
        "types": types,
        "categories": categories,
        "axes": axes,
        "kind": kind,
        "vendor": vendor,
        "cut_contract": contract("Cut contract"),
        "ledger_contracts": ledger,
    }


def _load_items(world: dict) -> dict:
    """1,000,000 items and their two categories by INSERT … SELECT; then the counters."""
    from datasets import services

    dataset = world["dataset"]
    have = _sql("SELECT COUNT(*) FROM datasets_item WHERE dataset_id = %s", [dataset.pk])[0][0]
    if have == ITEMS:
        return {"items_reused": True}
    started = time.perf_counter()
    if have:
        print(f"  {have} items of an incomplete load: removing them", flush=True)
        _sql(
            "DELETE FROM datasets_itemcategory WHERE item_id IN "
            "(SELECT id FROM datasets_item WHERE dataset_id = %s)",
            [dataset.pk],
        )
        _sql("DELETE FROM datasets_item WHERE dataset_id = %s", [dataset.pk])
    capture = [c.pk for c in world["categories"]["capture"]]
    writing = [c.pk for c in world["categories"]["writing"]]
    assert max(capture) < min(writing), "the capture axis is made first: keys sort so"
    # n = 0 … ITEMS-1; capture by n % 10, writing by (n / 10) % 4, formulas on 7 of 10 by
    # (n / 40) % 10 (so every category holds both), accepted on 1 of 20.
    _sql(
        "INSERT INTO datasets_item (dataset_id, sha256, original, original_name, image, "
        "rendition, thumbnail, width, height, processing, stripped, split, status, "
        "category_key, truth_types, created_at) "
        "SELECT %s, lpad(to_hex(n), 64, '0'), 'bench/' || n || '.jpg', '', "
        "'bench/' || n || '.jpg', '', '', 4032, 3024, 'ready', true, '', "
        "CASE WHEN n %% 20 = 7 THEN 'accepted' ELSE 'new' END, "
        "(%s::bigint[])[1 + n %% 10]::text || '.' || (%s::bigint[])[1 + (n / 10) %% 4]::text, "
        "CASE WHEN (n / 40) %% 10 < 7 THEN ',formula,' ELSE '' END, now() "
        "FROM generate_series(0, %s - 1) AS n",
        [dataset.pk, capture, writing, ITEMS],
    )
    first = _sql("SELECT MIN(id) FROM datasets_item WHERE dataset_id = %s", [dataset.pk])[0][0]
    for axis, ids, position in (
        (world["axes"]["capture"], capture, "(i.id - %s) %% 10"),
        (world["axes"]["writing"], writing, "((i.id - %s) / 10) %% 4"),
    ):
        _sql(
            "INSERT INTO datasets_itemcategory (item_id, category_id, axis_id) "
            f"SELECT i.id, (%s::bigint[])[1 + {position}], %s FROM datasets_item i "
            "WHERE i.dataset_id = %s",
            [ids, first, axis.pk, dataset.pk],
        )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    services.coverage_recount(dataset=dataset)
    for table in ("datasets_item", "datasets_itemcategory", "datasets_coveragecount"):
        _sql(f"ANALYZE {table}")
    return {
        "items_reused": False,
        "items_load_s": round(loaded, 1),
        "recount_s": round(time.perf_counter() - started, 1),
    }


def _month_bounds(zone: str) -> tuple[date, date]:
    """Last month, in ``zone``: [first day, first day of this month)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    today = timezone.localdate(timezone.now(), ZoneInfo(zone))
    end = today.replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def _load_ledger(world: dict) -> dict:
    """1,000,000 accepted lines over the ledger contracts, and LedgerDay from them."""
    contracts = world["ledger_contracts"]
    ids = [c.pk for c in contracts]
    have = _sql("SELECT COUNT(*) FROM vendors_ledgerline WHERE contract_id = ANY(%s)", [ids])[0][0]
    if have == LINES:
        return {"ledger_reused": True}
    started = time.perf_counter()
    _sql("DELETE FROM vendors_ledgerday WHERE contract_id = ANY(%s)", [ids])
    _sql("DELETE FROM vendors_ledgerline WHERE contract_id = ANY(%s)", [ids])
    others = LINES - sum(STATEMENT_SIZES)
    sizes = list(STATEMENT_SIZES) + [
        others // OTHER_CONTRACTS + (1 if n < others % OTHER_CONTRACTS else 0)
        for n in range(OTHER_CONTRACTS)
    ]
    task_ref = 10**12  # far above any real task id
    for contract, size in zip(contracts, sizes, strict=True):
        if contract.name.startswith("Statement"):
            # all of last month, in the contract's zone, one line every few seconds
            start, end = _month_bounds(contract.time_zone)
            first = f"'{start.isoformat()}'::timestamp AT TIME ZONE '{contract.time_zone}'"
            span = (end - start).days * 86400 - 1
        else:
            first, span = "now() - interval '60 days'", 60 * 86400 - 1
        _sql(
            "INSERT INTO vendors_ledgerline (contract_id, kind, batch_ref, task_ref, units, "
            "amount, reserved_units, reserved_amount, unit_price, at, note) "
            "SELECT %s, 'accepted', 1 + n / 1000, %s + n, 1, %s, 0, 0, %s, "
            f"{first} + make_interval(secs => (n::bigint * %s / %s)), '' "
            "FROM generate_series(0, %s - 1) AS n",
            [contract.pk, task_ref, contract.unit_price, contract.unit_price, span, size, size],
        )
        task_ref += size
    _sql(
        "INSERT INTO vendors_ledgerday (contract_id, day, units, amount, reserved_units, "
        "reserved_amount, accepted) "
        "SELECT l.contract_id, (l.at AT TIME ZONE c.time_zone)::date, SUM(l.units), "
        "SUM(l.amount), SUM(l.reserved_units), SUM(l.reserved_amount), "
        "SUM(CASE l.kind WHEN 'accepted' THEN 1 WHEN 'reversal' THEN -1 ELSE 0 END) "
        "FROM vendors_ledgerline l JOIN vendors_contract c ON c.id = l.contract_id "
        "WHERE l.contract_id = ANY(%s) GROUP BY 1, 2",
        [ids],
    )
    for table in ("vendors_ledgerline", "vendors_ledgerday"):
        _sql(f"ANALYZE {table}")
    return {"ledger_reused": False, "ledger_load_s": round(time.perf_counter() - started, 1)}


# --- measuring ---------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call, runs: int) -> dict:
    for _ in range(WARMUPS):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def _labeling_service(name: str):
    try:
        from labeling import services
    except ImportError:
        return None
    return getattr(services, name, None)


def _need(world: dict) -> tuple[dict, list]:
    chosen = world["categories"]["capture"][:2]
    return {f"capture={c.slug}": CUT_EACH for c in chosen}, chosen


def _eligible_sql(world: dict, category) -> list[int]:
    """The ceiling: the bare SQL a cut needs, the eligible ids of one category."""
    kind, types = world["kind"], world["types"]
    return [
        row[0]
        for row in _sql(
            "SELECT i.id FROM datasets_item i "
            "JOIN datasets_itemcategory ic ON ic.item_id = i.id AND ic.category_id = %s "
            "WHERE i.dataset_id = %s AND i.processing = 'ready' "
            "AND i.status NOT IN ('pending', 'rejected') "
            "AND i.truth_types LIKE '%%,formula,%%' AND i.truth_types NOT LIKE '%%,char,%%' "
            "AND NOT EXISTS (SELECT 1 FROM labeling_task t WHERE t.task_kind_id = %s "
            "  AND t.item_id = i.id AND t.status <> 'cancelled') "
            "AND NOT EXISTS (SELECT 1 FROM labeling_taskhold h WHERE h.item_id = i.id "
            "  AND h.region_type_id = %s) ORDER BY i.id",
            [category.pk, world["dataset"].pk, kind.pk, types["char"].pk],
        )
    ]


def _reset(world: dict) -> None:
    """Remove the bench's batches (tasks, holds) and the cut contract's ledger; give the
    items back their status and the counters their counts."""
    from datasets import services
    from labeling.models import Batch

    dataset = world["dataset"]
    batches = list(Batch.objects.filter(dataset=dataset).values_list("id", flat=True))
    if batches:
        _sql(
            "DELETE FROM labeling_taskhold WHERE task_id IN "
            "(SELECT id FROM labeling_task WHERE batch_id = ANY(%s))",
            [batches],
        )
        _sql("DELETE FROM labeling_task WHERE batch_id = ANY(%s)", [batches])
        _sql("DELETE FROM labeling_batch WHERE id = ANY(%s)", [batches])
    contract = world["cut_contract"]
    _sql("DELETE FROM vendors_ledgerday WHERE contract_id = %s", [contract.pk])
    _sql("DELETE FROM vendors_ledgerline WHERE contract_id = %s", [contract.pk])
    moved = _sql(
        "UPDATE datasets_item SET status = 'new' WHERE dataset_id = %s AND status = 'in_labeling'",
        [dataset.pk],
    )
    if moved:
        services.coverage_recount(dataset=dataset)
    _sql("ANALYZE labeling_task")
    _sql("ANALYZE labeling_taskhold")


def _earlier_batches(world: dict) -> int:
    """50 batches of 2,000 open tasks (with their holds) on random eligible items of the
    categories the measured cut asks for: what the cut must step around."""
    from django.utils import timezone

    from labeling.models import Batch

    dataset, kind = world["dataset"], world["kind"]
    _need_, chosen = _need(world)
    batches = Batch.objects.bulk_create(
        Batch(
            dataset=dataset,
            task_kind=kind,
            vendor=world["vendor"],
            contract=world["cut_contract"],
            name=f"Earlier {n}",
            seed="bench",
            size=EARLIER_SIZE,
            due_on=timezone.localdate() + timedelta(days=30),
        )
        for n in range(EARLIER_BATCHES)
    )
    ids = [b.pk for b in batches]
    _sql(
        "WITH picked AS (SELECT ic.item_id, row_number() OVER (ORDER BY md5(ic.item_id::text)) - 1"
        " AS n FROM datasets_itemcategory ic JOIN datasets_item i ON i.id = ic.item_id "
        "WHERE ic.category_id = ANY(%s) AND i.dataset_id = %s AND i.status = 'new' "
        "AND i.truth_types LIKE '%%,formula,%%') "
        "INSERT INTO labeling_task (batch_id, task_kind_id, item_id, status, category_key, "
        "active_seconds, created_at) "
        "SELECT (%s::bigint[])[1 + n / %s], %s, item_id, 'open', '', 0, now() FROM picked "
        "WHERE n < %s",
        [[c.pk for c in chosen], dataset.pk, ids, EARLIER_SIZE, kind.pk, len(ids) * EARLIER_SIZE],
    )
    _sql(
        "INSERT INTO labeling_taskhold (task_id, item_id, region_type_id) "
        "SELECT id, item_id, %s FROM labeling_task WHERE batch_id = ANY(%s)",
        [world["types"]["char"].pk, ids],
    )
    _sql(
        "UPDATE datasets_item SET status = 'in_labeling' WHERE id IN "
        "(SELECT item_id FROM labeling_task WHERE batch_id = ANY(%s))",
        [ids],
    )
    from datasets import services

    services.coverage_recount(dataset=dataset)
    _sql("ANALYZE labeling_task")
    _sql("ANALYZE labeling_taskhold")
    return len(ids) * EARLIER_SIZE


def _cut_state(world: dict, label: str) -> list[dict]:
    """Preview ×20 and one cut of 10,000, beside the bare eligible-id SQL, in this state."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    need, chosen = _need(world)
    rows = []
    started = time.perf_counter()
    eligible = [len(_eligible_sql(world, c)) for c in chosen]
    ceiling_ms = round((time.perf_counter() - started) * 1000, 1)
    rows.append(
        {
            "name": f"ceiling: eligible-id SQL ({label})",
            "ms": ceiling_ms,
            "eligible": eligible,
            **_timed(lambda: [_eligible_sql(world, c) for c in chosen], 5),
        }
    )
    preview = _labeling_service("batch_preview")
    if preview is None:
        rows.append({"name": f"batch_preview ({label})", "status": NOT_BUILT})
    else:

        def call():
            preview(
                dataset=world["dataset"],
                task_kind=world["kind"],
                need=need,
                filters=[],
                seed=None,
                contract=world["cut_contract"],
            )

        timing = _timed(call, PREVIEW_RUNS)
        rows.append(
            {
                "name": f"batch_preview ({label})",
                **timing,
                "target_ms": TARGETS["preview_p95_ms"],
                "under_target": timing["p95_ms"] < TARGETS["preview_p95_ms"],
                "x_ceiling": round(timing["p95_ms"] / max(rows[0]["p95_ms"], 0.1), 1),
            }
        )
    cut = _labeling_service("batch_cut")
    if cut is None:
        rows.append({"name": f"batch_cut of 10,000 ({label})", "status": NOT_BUILT})
        return rows
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        batch = cut(
            dataset=world["dataset"],
            task_kind=world["kind"],
            contract=world["cut_contract"],
            need=need,
            filters=[],
            due_on=timezone.localdate() + timedelta(days=14),
            name=f"Bench cut ({label})",
            seed="bench",
            by=world["planner"],
        )
        seconds = time.perf_counter() - started
    tasks = batch.tasks.count()
    rows.append(
        {
            "name": f"batch_cut of 10,000 ({label})",
            "s": round(seconds, 2),
            "queries": len(queries.captured_queries),
            "tasks": tasks,
            "target_s": TARGETS["cut_s"],
            "under_target": seconds < TARGETS["cut_s"] and tasks == 2 * CUT_EACH,
            "x_ceiling": round(seconds * 1000 / max(ceiling_ms, 0.1), 1),
        }
    )
    return rows


def _part_cut(world: dict) -> list[dict]:
    _reset(world)
    rows = _cut_state(world, "no earlier batch")
    _reset(world)
    held = _earlier_batches(world)
    rows += _cut_state(world, f"{EARLIER_BATCHES} earlier batches, {held} tasks")
    _reset(world)
    return rows


def _part_cost(world: dict) -> list[dict]:
    from vendors import selectors
    from vendors.models import Contract

    ids = [c.pk for c in world["ledger_contracts"]]
    lines = _sql("SELECT COUNT(*) FROM vendors_ledgerline WHERE contract_id = ANY(%s)", [ids])
    rows = [
        {
            "name": "ceiling: SELECT sum() over the ledger lines",
            "lines": lines[0][0],
            **_timed(
                lambda: _sql(
                    "SELECT contract_id, SUM(units), SUM(amount), SUM(reserved_units), "
                    "SUM(reserved_amount) FROM vendors_ledgerline WHERE contract_id = ANY(%s) "
                    "GROUP BY contract_id",
                    [ids],
                ),
                COST_RUNS,
            ),
        },
        {
            "name": "ceiling: SELECT sum() over LedgerDay",
            **_timed(
                lambda: _sql(
                    "SELECT contract_id, SUM(units), SUM(amount), SUM(reserved_units), "
                    "SUM(reserved_amount) FROM vendors_ledgerday WHERE contract_id = ANY(%s) "
                    "GROUP BY contract_id",
                    [ids],
                ),
                COST_RUNS,
            ),
        },
    ]
    summary = getattr(selectors, "cost_summary", None)
    if summary is None:
        rows.append({"name": "cost_summary of 10 contracts", "status": NOT_BUILT})
        return rows
    timing = _timed(lambda: summary(contracts=list(Contract.objects.filter(pk__in=ids))), COST_RUNS)
    rows.append(
        {
            "name": "cost_summary of 10 contracts",
            **timing,
            "target_ms": TARGETS["cost_p95_ms"],
            "under_target": timing["p95_ms"] < TARGETS["cost_p95_ms"],
            "x_ceiling": round(timing["p95_ms"] / max(rows[0]["p95_ms"], 0.1), 2),
        }
    )
    return rows


def _memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak so far) of this process, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _streamed(response, *, every: int = 200) -> tuple[int, int]:
    """Consume a streamed response chunk by chunk: its bytes, and how far the resident
    memory rose above where it started (sampled every ``every`` chunks)."""
    start = highest = _memory_kb("VmRSS")
    size = 0
    for index, chunk in enumerate(response.streaming_content):
        size += len(chunk)
        if index % every == 0:
            highest = max(highest, _memory_kb("VmRSS"))
    return size, max(highest, _memory_kb("VmRSS")) - start


def _copy_ceiling(contract, start: date, end: date) -> dict:
    """COPY … TO STDOUT of the statement's lines, read block by block."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    size = 0
    statement = (
        "COPY (SELECT (l.at AT TIME ZONE c.time_zone)::date, l.task_ref, l.batch_ref, l.item_id, "
        "l.units, l.unit_price, l.amount, c.currency, l.kind FROM vendors_ledgerline l "
        "JOIN vendors_contract c ON c.id = l.contract_id WHERE l.contract_id = {} "
        "AND l.kind IN ('accepted', 'reversal') "
        "AND l.at >= ({}::timestamp AT TIME ZONE c.time_zone) "
        "AND l.at < ({}::timestamp AT TIME ZONE c.time_zone) ORDER BY l.id) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    from psycopg import sql

    query = sql.SQL(statement).format(
        sql.Literal(contract.pk), sql.Literal(start.isoformat()), sql.Literal(end.isoformat())
    )
    with raw.cursor() as cursor, cursor.copy(query) as copy:
        for block in copy:
            size += len(block)
    return {"s": round(time.perf_counter() - started, 2), "bytes": size}


def _part_csv(world: dict) -> list[dict]:
    from django.test import Client
    from django.urls import Resolver404, resolve

    from vendors import services

    rows = []
    statement_for = getattr(services, "statement_for", None)
    try:
        resolve("/vendors/statements/1/csv/")
        view_built = True
    except Resolver404:
        view_built = False
    client = Client()
    client.force_login(world["planner"])
    peaks = {}
    for contract, size in zip(world["ledger_contracts"][:2], STATEMENT_SIZES, strict=True):
        start, end = _month_bounds(contract.time_zone)
        rows.append(
            {
                "name": f"ceiling: COPY TO STDOUT, {size} lines",
                **_copy_ceiling(contract, start, end),
            }
        )
        name = f"statement CSV view, {size} lines"
        if statement_for is None or not view_built:
            rows.append({"name": name, "status": NOT_BUILT})
            continue
        statement = statement_for(contract=contract, period_start=start, period_end=end)
        url = f"/vendors/statements/{statement.pk}/csv/"
        started = time.perf_counter()
        response = client.get(url)
        size_bytes, rss_growth_kb = _streamed(response)
        seconds = time.perf_counter() - started
        hwm_before = _memory_kb("VmHWM")
        tracemalloc.start()
        response = client.get(url)
        streamed = sum(len(chunk) for chunk in response.streaming_content)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks[size] = peak
        rows.append(
            {
                "name": name,
                "status": response.status_code,
                "streaming": response.streaming,
                "s": round(seconds, 2),
                "bytes": size_bytes,
                "bytes_traced_run": streamed,
                "peak_python_mb": round(peak / 2**20, 2),
                "rss_growth_mb": round(rss_growth_kb / 1024, 1),
                "hwm_growth_mb": round((_memory_kb("VmHWM") - hwm_before) / 1024, 1),
                "x_ceiling": round(seconds / max(rows[-1]["s"], 0.01), 1),
            }
        )
    if len(peaks) == 2:
        small, large = (peaks[s] for s in STATEMENT_SIZES)
        growth = large / max(small, 1)
        rows.append(
            {
                "name": "CSV peak memory, 100,000 vs 10,000 lines",
                "ratio": round(growth, 2),
                "target": f"< {TARGETS['csv_peak_growth']}×",
                "under_target": growth < TARGETS["csv_peak_growth"],
            }
        )
    return rows


def run() -> list[dict]:
    bench_database(DATABASE, bench="bench_vendors")
    started = time.perf_counter()
    world = _world()
    load = {"name": "load", "items": ITEMS, "lines": LINES}
    if "cut" in ONLY:
        load.update(_load_items(world))
    if "cost" in ONLY or "csv" in ONLY:
        load.update(_load_ledger(world))
    load["setup_s"] = round(time.perf_counter() - started, 1)
    load["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    results = [load]
    parts = {"cut": _part_cut, "cost": _part_cost, "csv": _part_csv}
    for part in PARTS:
        if part in ONLY:
            print(f"  measuring {part}", flush=True)
            results += [{"part": part, **row} for row in parts[part](world)]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return results


def print_table(results: list[dict]) -> None:
    load = results[0]
    print(
        f"{load['items']} items, {load['lines']} ledger lines; set-up {load['setup_s']} s "
        + json.dumps({k: v for k, v in load.items() if k.endswith(("_s", "reused"))})
    )
    skip = {"part", "name"}
    for row in results[1:]:
        figures = ", ".join(f"{k}={v}" for k, v in row.items() if k not in skip)
        verdict = ""
        if "under_target" in row:
            verdict = "  OK" if row["under_target"] else "  OVER TARGET"
        print(f"[{row['part']}] {row['name']}: {figures}{verdict}")


if __name__ == "__main__":
    print_table(run())
