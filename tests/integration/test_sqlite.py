"""The embedded default's database: paths written for SQLite besides PostgreSQL's, run on a
real SQLite file (the suite's own database is PostgreSQL, so these go through manage.py in
a process of their own: migrated once, then one script per test)."""

import json
import os
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
def on_sqlite(tmp_path_factory):
    """Run a script in ``manage.py shell`` on a migrated SQLite database; the JSON it
    prints on its last line comes back."""
    database = str(tmp_path_factory.mktemp("sqlite") / "groundwork.sqlite3")
    _manage(database, "migrate", "-v0")

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
