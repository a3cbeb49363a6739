"""The embedded default's database: paths written for SQLite besides PostgreSQL's, run on a
real SQLite file (the suite's own database is PostgreSQL, so these go through manage.py in
a process of their own: migrated once, then one script per test)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def _manage(database: str, *args: str, timeout: float = 180) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> str:
    database = str(tmp_path_factory.mktemp("sqlite") / "groundwork.sqlite3")
    _manage(database, "migrate", "-v0")
    return database


@pytest.fixture
def on_sqlite(migrated, tmp_path):
    """Run a script in ``manage.py shell`` on a migrated SQLite database of the test's own
    (a copy: migrating once is the slow part); the JSON it prints on its last line comes
    back."""
    database = str(tmp_path / "groundwork.sqlite3")
    shutil.copyfile(migrated, database)

    def run(script: str):
        return json.loads(_manage(database, "shell", "-v0", "-c", script).strip().splitlines()[-1])

    return run


def test_a_cut_on_sqlite_takes_the_counts_asked_and_never_an_item_twice(on_sqlite):
    found = on_sqlite(
        "import json\n"
        "from tests.factories.labeling import cut, make_floor\n"
        "from labeling.models import Task, TaskHold\n"
        "floor = make_floor()\n"
        "first = cut(floor, {'capture=shadow': 12, 'capture=highlighter': 7},"
        " ['writing=handwritten'])\n"
        "second = cut(floor, {'capture=shadow': 5})\n"
        "items = list(Task.objects.values_list('item_id', flat=True))\n"
        "print(json.dumps({'sizes': [first.size, second.size], 'tasks': len(items),"
        " 'distinct': len(set(items)), 'holds': TaskHold.objects.count(),"
        " 'keys': sorted(set(Task.objects.values_list('category_key', flat=True)))}))\n"
    )

    assert found["sizes"] == [19, 5]
    assert found["tasks"] == found["distinct"] == found["holds"] == 24
    assert found["keys"] == ["capture=highlighter", "capture=shadow"]


def test_eight_threads_claim_on_sqlite_without_locked_errors_each_task_once(on_sqlite):
    found = on_sqlite(
        "import json, threading\n"
        "from django.db import connection\n"
        "from django.utils import timezone\n"
        "from labeling import services\n"
        "from labeling.models import Task\n"
        "from tests.factories.labeling import cut, make_floor\n"
        "from tests.factories.vendors import member_of\n"
        "floor = make_floor()\n"
        "batch = cut(floor, {'capture=highlighter': 25})\n"
        "people = [member_of(floor.vendor) for _ in range(8)]\n"
        "claimed, errors, barrier = [], [], threading.Barrier(8)\n"
        "def run(user):\n"
        "    try:\n"
        "        barrier.wait(30)\n"
        "        while True:\n"
        "            task = services.task_claim_next(annotator=user).task\n"
        "            if task is None:\n"
        "                return\n"
        "            claimed.append(task.pk)\n"
        "            Task.objects.filter(pk=task.pk).update(status='submitted',"
        " lease_expires_at=None, submitted_at=timezone.now())\n"
        "    except Exception as error:\n"
        "        errors.append(repr(error))\n"
        "    finally:\n"
        "        connection.close()\n"
        "threads = [threading.Thread(target=run, args=(user,)) for user in people]\n"
        "[t.start() for t in threads]\n"
        "[t.join(120) for t in threads]\n"
        "print(json.dumps({'claimed': len(claimed), 'distinct': len(set(claimed)),"
        " 'errors': errors, 'tasks': Task.objects.filter(batch=batch).count()}))\n"
    )

    assert found["errors"] == []
    assert found["claimed"] == found["distinct"] == found["tasks"] == 25


def test_coverage_deltas_fold_in_on_sqlite_as_a_recount_counts(on_sqlite):
    found = on_sqlite(
        "import json\n"
        "from datasets import services\n"
        "from datasets.models import CoverageCount, CoverageDelta, Item\n"
        "from tests.factories.labeling import cut, make_floor\n"
        "floor = make_floor()\n"
        "cut(floor, {'capture=shadow': 6})\n"
        "ids = list(Item.objects.filter(status='in_labeling').values_list('pk', flat=True))\n"
        "services.items_status_move(dataset=floor.dataset, item_ids=ids,"
        " from_status='in_labeling', to_status='labeled', deferred=True)\n"
        "pending = CoverageDelta.objects.count()\n"
        "def counters():\n"
        "    rows = CoverageCount.objects.filter(dataset=floor.dataset, count__gt=0)\n"
        "    return sorted(map(list, rows.values_list('category_key', 'split', 'status',"
        " 'count')))\n"
        "applied = services.coverage_deltas_apply()\n"
        "folded = counters()\n"
        "services.coverage_recount(dataset=floor.dataset)\n"
        "print(json.dumps({'pending': pending, 'applied': applied, 'left':"
        " CoverageDelta.objects.count(), 'same': folded == counters(),"
        " 'labeled': sum(row[3] for row in folded if row[2] == 'labeled')}))\n"
    )

    assert found["pending"] == found["applied"] > 0
    assert found["left"] == 0
    assert found["same"] and found["labeled"] == 6
