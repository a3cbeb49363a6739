"""The rows of the authorization matrix whose answers need a running Celery worker (healthz)."""

import pytest

from tests.test_authorization import MATRIX_ROWS, People, ask, report, url_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]

WORKER_ROWS = [row for row in MATRIX_ROWS.rows if row.worker]


def test_the_health_check_is_among_the_rows_that_need_a_worker():
    assert "healthz" in {row.route for row in WORKER_ROWS}


def test_each_role_gets_the_answer_the_matrix_writes_with_a_worker_running(celery_worker):
    people = People.build()

    wrong = {row.id: ask(people, row, url_for(row, [])) for row in WORKER_ROWS}

    if any(wrong.values()):
        pytest.fail(
            "\n".join(
                report(row, wrong[row.id], "answered otherwise")
                for row in WORKER_ROWS
                if wrong[row.id]
            ),
            pytrace=False,
        )
