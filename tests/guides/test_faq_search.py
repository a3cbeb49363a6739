"""The FAQ search finds Korean words inside longer ones, on PostgreSQL and on SQLite.

PostgreSQL is the suite's database: the test database must have a UTF-8 ctype for pg_trgm
to make trigrams of Hangul (see guides.selectors.questions), and the search must use the
trigram index. The SQLite path (the embedded default) runs in a fresh interpreter with no
DATABASE_URL, so ``make test`` exercises it too: the same selector on a new SQLite file.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

from guides import services
from guides.selectors.questions import faq_search
from tests.conftest import ROOT
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published

pytestmark = pytest.mark.django_db

ENTRIES = [
    ("그림자가 진 수식도 상자를 그리나요?", "네, 수식 전체를 그립니다."),
    ("Cut at the edge: box it?", "Box what is visible."),
    ("손글씨 수식은?", "Handwritten formulas are boxed like printed ones."),
]


def _faq():
    guide = guide_published(DatasetFactory()).guide
    entries = [
        services.faq_publish(guide=guide, question_text=q, answer_text=a) for q, a in ENTRIES
    ]
    return guide, entries


def test_the_test_database_makes_trigrams_of_hangul():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datctype, array_length(show_trgm('그림자'), 1) FROM pg_database "
            "WHERE datname = current_database()"
        )
        ctype, trigrams = cursor.fetchone()

    assert ctype != "C", "pg_trgm finds no Hangul trigrams under the C ctype"
    assert trigrams == 4


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("그림자", [0]),  # a word stem inside 그림자가
        ("수식", [2, 0]),  # in two questions, newest first
        ("BOX WHAT", [1]),  # case-folded
        ("그", [0]),  # under 3 characters: the plain substring scan
        ("ｂｏｘ ｗｈａｔ", [1]),  # full-width letters, NFKC
        ("없는말", []),
    ],
)
def test_the_search_finds_words_inside_longer_ones(query, found):
    guide, entries = _faq()

    result = list(faq_search(guide=guide, query=query))

    assert result == [entries[i] for i in found]


def test_the_search_never_reaches_another_guides_faq():
    guide, entries = _faq()
    _faq()

    assert list(faq_search(guide=guide, query="그림자")) == [entries[0]]


def test_postgresql_has_the_guides_trigram_index_and_can_answer_hangul_from_it():
    _faq()

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'guides_faq_search_trgm'")
        (definition,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM guides_faqentry WHERE search_text LIKE %s", ["%그림자%"]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "gin (guide_id, search_text gin_trgm_ops)" in definition
    assert "guides_faq_search_trgm" in plan


SQLITE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.db import connection
    from guides.models import FaqEntry, Guide
    from guides import services
    from guides.selectors.questions import faq_search

    assert connection.vendor == "sqlite", connection.vendor
    with connection.schema_editor() as editor:
        editor.create_model(Guide)
        editor.create_model(FaqEntry)
    connection.disable_constraint_checking()  # only these two tables exist
    guide = Guide.objects.create(dataset_id=1, title="Guide")
    other = Guide.objects.create(dataset_id=2, title="Other")
    ids = []
    for question, answer in json.loads(sys.argv[1]):
        ids.append(FaqEntry.objects.create(
            guide=guide, question=question, answer=answer,
            search_text=services.search_text_of(question, answer),
        ).pk)
    FaqEntry.objects.create(guide=other, question="그림자", answer="-", search_text="그림자 -")
    found = {
        query: [ids.index(entry.pk) for entry in faq_search(guide=guide, query=query)]
        for query in json.loads(sys.argv[2])
    }
    print(json.dumps(found))
    """
)


def test_sqlite_finds_the_same_korean_words(tmp_path):
    queries = ["그림자", "수식", "BOX WHAT", "그", "없는말"]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"})

    result = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT, json.dumps(ENTRIES), json.dumps(queries)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "그림자": [0],
        "수식": [2, 0],
        "BOX WHAT": [1],
        "그": [0],
        "없는말": [],
    }
