"""Benchmark the hand-out: the annotator's cycle over HTTP against its two ceilings.

Data, loaded once into its own PostgreSQL database ``bench_handout`` (on the server of
DATABASE_URL; ``BENCH_HANDOUT_DATABASE`` names another) and reused while its counts match:
one dataset with the formula schema, 1,000,000 items (``BENCH_HANDOUT_TASKS``) made by
``INSERT … SELECT generate_series`` (no image files: the loop never reads one) and one
open batch of as many tasks in a shuffled hand-out order, each holding its item's formula
type; 64 annotators of the batch's vendor with API tokens. No guide: nothing gates them.
Before each run the tasks a run touched are put back open and its leases, annotations,
history, skips and coverage deltas removed.

The cycle is the tool's: next task → draft save → submit with 5 formula boxes and their
LaTeX, the submit answering the next task. Served by gunicorn (``BENCH_HANDOUT_WORKERS``
processes × ``BENCH_HANDOUT_THREADS`` threads, persistent database connections); the
clients are threads over keep-alive connections in two processes of their own.

Measured, in the same run:

- the bare SQL claim: the app's ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)
  RETURNING`` on the partial index, each claim then submitted, from 8 and 32 connections
  (claims per second);
- the minimal Django + DRF loop (``handout_minimal_urls``: the same claim, save and submit
  with the app's settings, middleware and token authentication and no app logic);
- (a) closed loop with 8, 32 and 64 clients: cycles per second, p50/p95/p99 of each call,
  duplicate claims, lock waits (backends waiting on a lock, sampled every 50 ms);
- (b) open loop at 100 cycles/s (``BENCH_HANDOUT_RATE``): each cycle a claim, a save and a
  submit by one of 64 annotators, started on schedule; p95 of each call beside the minimal
  loop at the same load, and how late the schedule fell;
- (c) one annotator in two tabs, 200 times: both tabs' "next" give the same task, the
  second tab's stale save is a 409, the task is submitted once;
- (d) 8 clients whose annotators each skipped 10 % of the first 200,000 tasks in order.

Targets (the issue's): (a) at least 0.8× the minimal loop and at least 150 cycles/s at 32
clients; (b) next-task p95 under 50 ms and within 2× the minimal loop's; no duplicate claim
in any mode; history rows per cycle bounded (at most 2: the draft and the submit).

    .venv/bin/python bench/bench_handout.py
    BENCH_HANDOUT_TASKS=100000 BENCH_HANDOUT_SECONDS=5 .venv/bin/python bench/bench_handout.py

Results: a table, and bench/results/handout.json.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "handout.json"
DATABASE = os.environ.get("BENCH_HANDOUT_DATABASE", "bench_handout")
TASKS = int(os.environ.get("BENCH_HANDOUT_TASKS", "1000000"))
SECONDS = float(os.environ.get("BENCH_HANDOUT_SECONDS", "15"))
RATE = float(os.environ.get("BENCH_HANDOUT_RATE", "100"))
WORKERS = int(os.environ.get("BENCH_HANDOUT_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_HANDOUT_THREADS", "8"))
ANNOTATORS = 64
CLIENTS = (8, 32, 64)
CLIENT_PROCESSES = 2
MAX_CYCLES = 100_000  # every loop is bounded in count as well as in time
TABS_RUNS = 200
SKIPPED_SPAN, SKIPPED_SHARE = 200_000, 10
TARGETS = {"minimal_ratio_32": 0.8, "cycles_32": 150, "next_p95_ms": 50, "next_vs_minimal": 2.0}
DATASET_NAME = f"Hand-out benchmark ({TASKS} tasks)"
BOXES = [
    {
        "id": f"r{n}",
        "type": "formula",
        "bbox": [100.0 + 600 * n, 200.0, 480.0, 160.0],
        "attributes": {"latex": f"\\frac{{a_{n}}}{{b + {n}}} + \\sqrt{{x^{n}}}"},
        "parent": None,
    }
    for n in range(5)
]


# --- set-up ------------------------------------------------------------------------------


def _sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _world() -> dict:
    """Dataset, schema, category, vendor, kind, contract, batch and annotators: found again
    by name, made through the services when missing."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import ApiToken, Role, User
    from accounts.services import token_create
    from datasets import services
    from datasets.models import Category, Dataset, RegionType
    from labeling.models import Batch, TaskKind
    from vendors.models import Contract, ContractPrice, Member, Vendor

    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is None:
        dataset = services.dataset_create(name=DATASET_NAME, by=None)
        formula = services.region_type_create(
            dataset=dataset, name="Formula", slug="formula", by=None
        )
        services.attribute_create(
            region_type=formula, name="latex", kind="latex", required=True, by=None
        )
        axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
        services.category_create(
            axis=axis, name="Shadow", slug="shadow", quota_target=TASKS, by=None
        )
    formula = RegionType.objects.get(dataset=dataset, slug="formula")
    category = Category.objects.get(axis__dataset=dataset, slug="shadow")
    kind = TaskKind.objects.filter(dataset=dataset, slug="box-formulas").first()
    if kind is None:
        kind = TaskKind.objects.create(dataset=dataset, name="Box formulas", slug="box-formulas")
        kind.types.set([formula])
    vendor, _ = Vendor.objects.get_or_create(name="Hand-out bench vendor")
    today = timezone.localdate()
    contract = Contract.objects.filter(vendor=vendor, dataset=dataset).first()
    if contract is None:
        contract = Contract.objects.create(
            vendor=vendor,
            dataset=dataset,
            kind=Contract.Kind.LABELING,
            task_kind_id=kind.pk,
            name="Bench labeling",
            unit=Contract.Unit.TASK,
            currency="USD",
            unit_price="0.85",
            quantity=10**7,
            budget="100000000",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=400),
        )
        ContractPrice.objects.create(
            contract=contract, unit_price=contract.unit_price, effective_at=timezone.now()
        )
    batch = Batch.objects.filter(contract=contract).first()
    if batch is None:
        batch = Batch.objects.create(
            dataset=dataset,
            task_kind=kind,
            vendor=vendor,
            contract=contract,
            name="Bench batch",
            status=Batch.Status.IN_PROGRESS,
            seed="bench",
            size=TASKS,
            due_on=today + timedelta(days=30),
        )
    # a run at another BENCH_HANDOUT_TASKS left its batch to the same vendor: "next" after
    # a submit takes from any working batch of the vendor, so only this one may work
    Batch.objects.filter(vendor=vendor).exclude(pk=batch.pk).update(status=Batch.Status.CANCELLED)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.IN_PROGRESS)
    people = []
    for n in range(ANNOTATORS):
        user, _ = User.objects.get_or_create(
            username=f"bench-annotator-{n:02d}", defaults={"role": Role.ANNOTATOR}
        )
        Member.objects.get_or_create(user=user, defaults={"vendor": vendor})
        people.append(user)
    ApiToken.objects.filter(user__in=people).delete()  # their keys are not kept: new ones
    tokens = [token_create(user=user, name="bench").key for user in people]
    return {
        "dataset": dataset,
        "formula": formula,
        "category": category,
        "kind": kind,
        "batch": batch,
        "people": people,
        "tokens": tokens,
    }


def _load(world: dict) -> dict:
    """TASKS items, their category and one task each with its hold, by INSERT … SELECT."""
    from datasets import services

    dataset, batch = world["dataset"], world["batch"]
    have = _sql("SELECT COUNT(*) FROM labeling_task WHERE batch_id = %s", [batch.pk])[0][0]
    if have == TASKS:
        return {"reused": True}
    started = time.perf_counter()
    _sql(
        "DELETE FROM labeling_taskhold WHERE task_id IN "
        "(SELECT id FROM labeling_task WHERE batch_id = %s)",
        [batch.pk],
    )
    _sql("DELETE FROM labeling_task WHERE batch_id = %s", [batch.pk])
    _sql(
        "DELETE FROM datasets_itemcategory WHERE item_id IN "
        "(SELECT id FROM datasets_item WHERE dataset_id = %s)",
        [dataset.pk],
    )
    _sql("DELETE FROM datasets_item WHERE dataset_id = %s", [dataset.pk])
    key = str(world["category"].pk)
    _sql(
        "INSERT INTO datasets_item (dataset_id, sha256, original, original_name, image, "
        "rendition, thumbnail, width, height, processing, stripped, split, status, "
        "category_key, truth_types, created_at) "
        "SELECT %s, lpad(to_hex(n), 64, '0'), 'bench/' || n || '.jpg', '', "
        "'bench/' || n || '.jpg', '', '', 4032, 3024, 'ready', true, 'train', 'in_labeling', "
        "%s, '', now() FROM generate_series(0, %s - 1) AS n",
        [dataset.pk, key, TASKS],
    )
    _sql(
        "INSERT INTO datasets_itemcategory (item_id, category_id, axis_id) "
        "SELECT id, %s, %s FROM datasets_item WHERE dataset_id = %s",
        [world["category"].pk, world["category"].axis_id, dataset.pk],
    )
    # the hand-out order: a hash of the batch's seed and the item, as batch_cut makes it
    _sql(
        "INSERT INTO labeling_task (batch_id, task_kind_id, item_id, status, category_key, "
        "order_key, active_seconds, created_at) "
        "SELECT %s, %s, id, 'open', category_key, "
        "('x' || substr(md5('bench' || id::text), 1, 15))::bit(60)::bigint, 0, now() "
        "FROM datasets_item WHERE dataset_id = %s",
        [batch.pk, world["kind"].pk, dataset.pk],
    )
    _sql(
        "INSERT INTO labeling_taskhold (task_id, item_id, region_type_id) "
        "SELECT id, item_id, %s FROM labeling_task WHERE batch_id = %s",
        [world["formula"].pk, batch.pk],
    )
    loaded = time.perf_counter() - started
    services.coverage_recount(dataset=dataset)
    for table in ("datasets_item", "labeling_task", "labeling_taskhold", "datasets_coveragecount"):
        _sql(f"ANALYZE {table}")
    return {"reused": False, "load_s": round(loaded, 1)}


def _reset(world: dict) -> None:
    """Put back what a run touched: tasks open, no leases, annotations, skips or deltas."""
    batch = world["batch"]
    _sql(
        "DELETE FROM labeling_annotationchange WHERE annotation_id IN (SELECT a.id FROM "
        "labeling_annotation a JOIN labeling_task t ON t.id = a.task_id WHERE t.batch_id = %s)",
        [batch.pk],
    )
    _sql(
        "DELETE FROM labeling_annotation WHERE task_id IN "
        "(SELECT id FROM labeling_task WHERE batch_id = %s)",
        [batch.pk],
    )
    for table in ("labeling_lease", "labeling_taskskip"):
        _sql(
            f"DELETE FROM {table} WHERE task_id IN "  # noqa: S608 - our table names
            "(SELECT id FROM labeling_task WHERE batch_id = %s AND status <> 'open') "
            "OR annotator_id IN (SELECT id FROM accounts_user WHERE username LIKE 'bench-%%')",
            [batch.pk],
        )
    _sql(
        "UPDATE datasets_item SET status = 'in_labeling' WHERE id IN (SELECT item_id FROM "
        "labeling_task WHERE batch_id = %s AND status <> 'open')",
        [batch.pk],
    )
    _sql(
        "UPDATE labeling_task SET status = 'open', annotator_id = NULL, lease_expires_at = NULL, "
        "submitted_at = NULL, active_seconds = 0 WHERE batch_id = %s AND status <> 'open'",
        [batch.pk],
    )
    # a bench annotator's task held in another run's batch (another BENCH_HANDOUT_TASKS)
    _sql(
        "UPDATE labeling_task SET status = 'open', annotator_id = NULL, lease_expires_at = NULL "
        "WHERE status = 'leased' AND annotator_id IN "
        "(SELECT id FROM accounts_user WHERE username LIKE 'bench-%%')"
    )
    _sql("DELETE FROM datasets_coveragedelta WHERE dataset_id = %s", [world["dataset"].pk])
    _sql("VACUUM ANALYZE labeling_task")


# --- the bare SQL ceiling ----------------------------------------------------------------


def _bare_claims(url: str, world: dict, connections: int) -> dict:
    """Claims per second of the app's claim statement (labeling.services.handout), each
    claim then submitted."""
    import psycopg

    claim = (
        "UPDATE labeling_task SET status = 'leased', annotator_id = %s, "
        "lease_expires_at = now() + interval '30 minutes' WHERE id = ("
        "SELECT t.id FROM labeling_task t WHERE t.batch_id = %s AND t.status = 'open' "
        "AND NOT EXISTS (SELECT 1 FROM labeling_taskskip s WHERE s.task_id = t.id "
        "AND s.annotator_id = %s) ORDER BY t.order_key, t.id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id"
    )
    batch = world["batch"].pk
    people = [user.pk for user in world["people"]]
    claimed: list[list[int]] = [[] for _ in range(connections)]
    deadline = time.monotonic() + min(SECONDS, 10)

    def loop(n: int) -> None:
        user = people[n % len(people)]
        with psycopg.connect(url, autocommit=True) as connection:
            while time.monotonic() < deadline and len(claimed[n]) < MAX_CYCLES:
                row = connection.execute(claim, [user, batch, user]).fetchone()
                if row is None:
                    return
                connection.execute(
                    "UPDATE labeling_task SET status = 'submitted' WHERE id = %s", [row[0]]
                )
                claimed[n].append(row[0])

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ids = [task for part in claimed for task in part]
    return {
        "connections": connections,
        "claims": len(ids),
        "claims_per_s": round(len(ids) / elapsed, 1),
        "duplicates": len(ids) - len(set(ids)),
    }


# --- the servers -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the app (``config.settings``) or the minimal loop."""

    def __init__(self, url: str, settings_module: str):
        self.port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DEBUG": "0",
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--pythonpath",
                f"{ROOT},{ROOT / 'bench'}",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "gthread",
                "--threads",
                str(THREADS),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("POST", "/api/v1/tasks/next/", body="{}")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn ({settings_module}) never answered")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


# --- the clients -------------------------------------------------------------------------


class Client:
    """One annotator's keep-alive connection: JSON in, (status, body, milliseconds) out."""

    def __init__(self, port: int, token: str, batch: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.batch = batch

    def call(self, method: str, path: str, body: dict) -> tuple[int, dict, float]:
        started = time.perf_counter()
        self.connection.request(method, path, body=json.dumps(body), headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, (json.loads(data) if data else {}), elapsed

    def next(self) -> tuple[int, dict, float]:
        return self.call("POST", "/api/v1/tasks/next/", {"batch": self.batch})

    def save(self, task: dict) -> tuple[int, dict, float]:
        body = {"annotation": {"regions": BOXES[:3], "categories": {}}, "version": task["version"]}
        return self.call("PUT", f"/api/v1/tasks/{task['id']}/annotation/", body)

    def submit(self, task: dict, version: int, *, next_task: bool) -> tuple[int, dict, float]:
        body = {
            "annotation": {"regions": BOXES, "categories": {}},
            "version": version,
            "next": next_task,
            "batch": self.batch,
        }
        return self.call("POST", f"/api/v1/tasks/{task['id']}/submit/", body)


def _closed_part(port, tokens, batch, deadline, out) -> None:
    """Threads each looping save → submit (answering the next task) until the deadline."""
    calls = {"next": [], "save": [], "submit": []}
    claimed, errors = [], {}
    lock = threading.Lock()

    def error(kind: str, status: int) -> None:
        with lock:
            errors[f"{kind} {status}"] = errors.get(f"{kind} {status}", 0) + 1

    def loop(token: str) -> None:
        client = Client(port, token, batch)
        status, body, ms = client.next()
        calls["next"].append(ms)
        if status != 200 or body.get("task") is None:
            return error("next", status)
        task = body["task"]
        claimed.append(task["id"])
        cycles = 0
        while time.monotonic() < deadline and cycles < MAX_CYCLES:
            status, saved, ms = client.save(task)
            calls["save"].append(ms)
            if status != 200:
                return error("save", status)
            status, body, ms = client.submit(task, saved["version"], next_task=True)
            calls["submit"].append(ms)
            if status != 200:
                return error("submit", status)
            cycles += 1
            task = (body.get("next") or {}).get("task")
            if task is None:
                return
            claimed.append(task["id"])

    threads = [threading.Thread(target=loop, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"calls": calls, "claimed": claimed, "errors": errors})


def _open_part(port, tokens, batch, schedule, out) -> None:
    """Threads taking the scheduled start times in turn: claim, save, submit (no next)."""
    calls = {"next": [], "save": [], "submit": []}
    claimed, late, errors = [], [], {}
    lock = threading.Lock()
    queue = list(schedule)

    def loop(token: str) -> None:
        client = Client(port, token, batch)
        while True:
            with lock:
                if not queue:
                    return
                start = queue.pop(0)
            wait = start - time.time()
            if wait > 0:
                time.sleep(wait)
            late.append(max(0.0, -wait) * 1000)
            status, body, ms = client.next()
            calls["next"].append(ms)
            task = body.get("task") if status == 200 else None
            if task is None:
                errors[f"next {status}"] = errors.get(f"next {status}", 0) + 1
                continue
            claimed.append(task["id"])
            status, saved, ms = client.save(task)
            calls["save"].append(ms)
            if status != 200:
                errors[f"save {status}"] = errors.get(f"save {status}", 0) + 1
                continue
            status, _body, ms = client.submit(task, saved["version"], next_task=False)
            calls["submit"].append(ms)
            if status != 200:
                errors[f"submit {status}"] = errors.get(f"submit {status}", 0) + 1

    threads = [threading.Thread(target=loop, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put({"calls": calls, "claimed": claimed, "errors": errors, "late": late})


def _lock_sampler(url: str, stop: threading.Event, samples: list[int]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        while not stop.is_set():
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            samples.append(row[0])
            stop.wait(0.05)


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99)}


def _drive(url: str, port: int, world: dict, target, tokens: list[str], extra) -> dict:
    """Run ``target`` in CLIENT_PROCESSES processes over ``tokens``; merge what they saw."""
    out = multiprocessing.Queue()
    shares = [tokens[n::CLIENT_PROCESSES] for n in range(CLIENT_PROCESSES)]
    samples: list[int] = []
    stop = threading.Event()
    sampler = threading.Thread(target=_lock_sampler, args=(url, stop, samples))
    sampler.start()
    started = time.perf_counter()
    processes = [
        multiprocessing.Process(target=target, args=(port, share, world["batch"].pk, extra(n), out))
        for n, share in enumerate(shares)
        if share
    ]
    for process in processes:
        process.start()
    parts = [out.get(timeout=SECONDS * 4 + 120) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    calls = {
        name: [ms for part in parts for ms in part["calls"][name]] for name in parts[0]["calls"]
    }
    claimed = [task for part in parts for task in part["claimed"]]
    errors: dict[str, int] = {}
    for part in parts:
        for key, count in part["errors"].items():
            errors[key] = errors.get(key, 0) + count
    result = {
        "seconds": round(elapsed, 1),
        "cycles": len(calls["submit"]),
        "cycles_per_s": round(len(calls["submit"]) / elapsed, 1),
        "calls": {name: _percentiles(values) for name, values in calls.items()},
        "duplicate_claims": len(claimed) - len(set(claimed)),
        "errors": errors,
        "lock_waits": {
            "samples_waiting_share": round(sum(1 for s in samples if s) / max(1, len(samples)), 3),
            "max_waiting": max(samples, default=0),
        },
    }
    if "late" in parts[0]:
        result["late"] = _percentiles([ms for part in parts for ms in part["late"]])
    return result


def _closed(url, port, world, clients: int, *, tokens=None) -> dict:
    deadline_at = time.monotonic() + SECONDS
    chosen = (tokens or world["tokens"])[:clients]
    # each process computes its own deadline from the same remaining time
    result = _drive(url, port, world, _closed_part, chosen, lambda _n: deadline_at)
    result["clients"] = clients
    return result


def _open(url, port, world) -> dict:
    count = int(RATE * SECONDS)
    start = time.time() + 1.0
    schedule = [start + n / RATE for n in range(count)]
    result = _drive(
        url,
        port,
        world,
        _open_part,
        world["tokens"],
        lambda n: schedule[n::CLIENT_PROCESSES],
    )
    result["rate"] = RATE
    return result


def _tabs(port: int, world: dict) -> dict:
    """One annotator in two tabs: the same task in both, the stale save 409, one submit."""
    token = world["tokens"][0]
    one, two = Client(port, token, world["batch"].pk), Client(port, token, world["batch"].pk)
    same = stale_refused = submitted_once = 0
    for _n in range(TABS_RUNS):
        first, second = one.next()[1].get("task"), two.next()[1].get("task")
        if first is None or second is None:
            break
        same += first["id"] == second["id"]
        status, saved, _ms = one.save(first)
        stale = two.save(second)[0]
        stale_refused += stale == 409
        done = one.submit(first, saved["version"], next_task=False)[0]
        again = two.submit(second, saved["version"], next_task=False)[0]
        submitted_once += done == 200 and again == 409
    return {
        "runs": TABS_RUNS,
        "same_task_in_both": same,
        "stale_save_409": stale_refused,
        "submitted_once": submitted_once,
    }


def _skipped_setup(world: dict, annotators: int) -> int:
    """Each of the first ``annotators`` skipped 1 in 10 of the first SKIPPED_SPAN tasks."""
    people = [user.pk for user in world["people"][:annotators]]
    return _sql(
        "INSERT INTO labeling_taskskip (task_id, annotator_id, reason, note, at) "
        "SELECT t.id, p, 'blurry', '', now() FROM (SELECT id, row_number() OVER "
        "(ORDER BY order_key, id) AS n FROM labeling_task WHERE batch_id = %s AND "
        "status = 'open' ORDER BY order_key, id LIMIT %s) t, unnest(%s::bigint[]) AS p "
        "WHERE t.n %% %s = 0",
        [world["batch"].pk, SKIPPED_SPAN, people, SKIPPED_SHARE],
    )


def _history_per_cycle(world: dict, cycles: int) -> float:
    rows = _sql(
        "SELECT count(*) FROM labeling_annotationchange c JOIN labeling_annotation a "
        "ON a.id = c.annotation_id JOIN labeling_task t ON t.id = a.task_id "
        "WHERE t.batch_id = %s",
        [world["batch"].pk],
    )[0][0]
    return round(rows / max(1, cycles), 2)


def run() -> dict:
    url = bench_database(DATABASE, bench="bench_handout")
    from django.db import connections

    world = _world()
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "tasks": TASKS,
        "seconds_per_run": SECONDS,
        "server": f"gunicorn {WORKERS} workers × {THREADS} threads",
        "load": _load(world),
    }
    print(f"  loaded: {results['load']}", flush=True)

    def fresh() -> None:
        _reset(world)
        connections.close_all()

    results["bare_sql"] = []
    for count in (8, 32):
        fresh()
        results["bare_sql"].append(_bare_claims(url, world, count))
        print(f"  bare SQL: {results['bare_sql'][-1]}", flush=True)
    for name, settings_module in (
        ("minimal", "handout_minimal_settings"),
        ("app", "config.settings"),
    ):
        server = Server(url, settings_module)
        try:
            part: dict = {"closed": []}
            for clients in CLIENTS:
                fresh()
                part["closed"].append(_closed(url, server.port, world, clients))
                if name == "app":
                    part["closed"][-1]["history_per_cycle"] = _history_per_cycle(
                        world, part["closed"][-1]["cycles"]
                    )
                print(f"  {name} closed {clients}: {_line(part['closed'][-1])}", flush=True)
            fresh()
            part["open"] = _open(url, server.port, world)
            print(f"  {name} open {RATE}/s: {_line(part['open'])}", flush=True)
            if name == "app":
                fresh()
                part["tabs"] = _tabs(server.port, world)
                print(f"  app two tabs: {part['tabs']}", flush=True)
                fresh()
                part["skipped_rows"] = _skipped_setup(world, 8)
                part["skipped"] = _closed(url, server.port, world, 8)
                print(f"  app 8 clients, 10 % skipped: {_line(part['skipped'])}", flush=True)
            results[name] = part
        finally:
            server.stop()
    fresh()
    results["targets"] = _verdicts(results)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def _line(run: dict) -> str:
    calls = " ".join(
        f"{name} p50 {c.get('p50')} p95 {c.get('p95')} p99 {c.get('p99')}"
        for name, c in run["calls"].items()
    )
    return (
        f"{run['cycles_per_s']} cycles/s; {calls} ms; duplicates {run['duplicate_claims']}; "
        f"lock waits {run['lock_waits']}; errors {run['errors']}"
    )


def _at(part: dict, clients: int) -> dict:
    return next(run for run in part["closed"] if run["clients"] == clients)


def _verdicts(results: dict) -> dict:
    app, minimal = results["app"], results["minimal"]
    app32, minimal32 = _at(app, 32), _at(minimal, 32)
    ratio = app32["cycles_per_s"] / max(0.1, minimal32["cycles_per_s"])
    next_p95 = app["open"]["calls"]["next"].get("p95", 1e9)
    minimal_next = minimal["open"]["calls"]["next"].get("p95", 1e9)
    duplicates = sum(run["duplicate_claims"] for run in app["closed"]) + sum(
        run["duplicate_claims"] for run in (app["open"], app["skipped"])
    )
    duplicates += sum(run["duplicates"] for run in results["bare_sql"])
    tabs = app["tabs"]
    return {
        "(a) app/minimal at 32 clients ≥ 0.8": [round(ratio, 2), ratio >= 0.8],
        "(a) cycles/s at 32 clients ≥ 150": [app32["cycles_per_s"], app32["cycles_per_s"] >= 150],
        "(b) next p95 < 50 ms at 100/s": [next_p95, next_p95 < 50],
        "(b) next p95 within 2× minimal": [
            round(next_p95 / max(0.1, minimal_next), 2),
            next_p95 <= 2 * minimal_next,
        ],
        "no duplicate claim": [duplicates, duplicates == 0],
        "(c) two tabs: same task, stale 409, one submit": [
            tabs,
            tabs["same_task_in_both"]
            == tabs["stale_save_409"]
            == tabs["submitted_once"]
            == tabs["runs"],
        ],
        "history rows per cycle ≤ 2": [
            max(run["history_per_cycle"] for run in app["closed"]),
            max(run["history_per_cycle"] for run in app["closed"]) <= 2,
        ],
    }


def print_table(results: dict) -> None:
    print(f"\nhand-out over HTTP, {results['tasks']} tasks, {results['server']}")
    for run in results["bare_sql"]:
        print(f"  bare SQL claim, {run['connections']} connections: {run['claims_per_s']} claims/s")
    print(
        f"  {'loop':8} {'clients':>7} {'cycles/s':>9} {'next p95':>9} {'save p95':>9} "
        f"{'submit p95':>11} {'dups':>5} {'lock-wait share':>16}"
    )
    for name in ("minimal", "app"):
        runs = [*results[name]["closed"], {**results[name]["open"], "clients": "open"}]
        for run in runs:
            calls = run["calls"]
            print(
                f"  {name:8} {run['clients']!s:>7} {run['cycles_per_s']:>9} "
                f"{calls['next'].get('p95')!s:>9} {calls['save'].get('p95')!s:>9} "
                f"{calls['submit'].get('p95')!s:>11} {run['duplicate_claims']:>5} "
                f"{run['lock_waits']['samples_waiting_share']:>16}"
            )
    skipped = results["app"]["skipped"]
    print(f"  app, 8 clients, 10 % skipped by each: {skipped['cycles_per_s']} cycles/s")
    print("  targets:")
    for name, (value, met) in results["targets"].items():
        print(f"    {'met    ' if met else 'NOT met'} {name}: {value}")


if __name__ == "__main__":
    print_table(run())
