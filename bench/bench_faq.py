"""Benchmark the FAQ search of a guide over 10,000 entries on PostgreSQL (Korean included).

Loads, once, 10,000 FAQ entries of one guide (question and answer built from Korean and
English words, normalised into ``search_text`` by the service's own function) into its own
PostgreSQL database ``bench_faq`` (on the server of DATABASE_URL). A later run reuses them.
Then it times, for each query (Korean stems of 3+ characters that pg_trgm's index answers,
an English phrase, a rare word, and a 2-character Korean query that falls back to the plain
substring scan), 30 runs after 3 warm-ups of: the FAQ API as a signed-in annotator
(``GET /api/v1/guides/<id>/faq/?q=…``), the selector alone (``faq_search`` evaluated), and,
as the ceiling of the same run, the bare trigram query in SQL (the same ``LIKE`` on the same
index, ids only). Target: p95 under 100 ms.

    .venv/bin/python bench/bench_faq.py

Results are printed as a table and written to bench/results/faq.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "faq.json"
DATABASE = os.environ.get("BENCH_FAQ_DATABASE", "bench_faq")
ENTRIES = int(os.environ.get("BENCH_FAQ_ENTRIES", "10000"))
WARMUPS, RUNS = 3, 30
TARGET_P95_MS = 100
DATASET_NAME = f"FAQ benchmark ({ENTRIES} entries)"
SEED = 20261202
KOREAN_WORDS = (
    "그림자가 수식을 상자로 그리나요 손글씨 분수 근호 적분 행렬 지수 아래첨자 위첨자 잘린 "
    "가장자리 흐릿한 사진 기울어진 종이 인쇄된 괄호 등호 부등호 화살표 벡터 극한 합계 곱셈 "
    "나눗셈 빈칸 지우개 자국 번진 잉크 형광펜 밑줄 취소선 여러 줄 한 줄 번호 문제 풀이 답안 "
    "표 안의 그림 속의 영역 경계 겹친 상자 작은 글자 큰 글자"
)
ENGLISH_WORDS = (
    "box formula shadow edge cut visible truncated handwritten printed fraction root "
    "integral matrix exponent subscript blurry tilted paper bracket arrow vector limit sum "
    "region overlap small large label annotate skip"
)
KOREAN, ENGLISH = KOREAN_WORDS.split(), ENGLISH_WORDS.split()
RARE = "유일무이한표현"
#: (label, query): what each case searches for.
QUERIES = [
    ("korean stem (3 chars)", "그림자"),
    ("korean word (4 chars)", "아래첨자"),
    ("english phrase", "handwritten fraction"),
    ("rare word, 1 hit", RARE),
    ("korean, 2 chars: scan", "수식"),
]


def _sentence(rng: random.Random, words: int) -> str:
    pool = KOREAN if rng.random() < 0.7 else ENGLISH
    return " ".join(rng.choice(pool) for _ in range(words))


def _world() -> dict:
    """The dataset, its guide v1, a vendor with an annotator on a contract, the entries."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Role, User
    from datasets import services as dataset_services
    from datasets.models import Dataset
    from guides import services
    from guides.models import FaqEntry, Guide
    from vendors.models import Contract, Member, Vendor

    planner, _ = User.objects.get_or_create(
        username="bench-faq-planner", defaults={"role": Role.PLANNER}
    )
    annotator, _ = User.objects.get_or_create(
        username="bench-faq-annotator", defaults={"role": Role.ANNOTATOR}
    )
    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is None:
        dataset = dataset_services.dataset_create(name=DATASET_NAME, by=None)
    guide = Guide.objects.filter(dataset=dataset, task_kind_id__isnull=True).first()
    if guide is None:
        guide = services.guide_create(
            dataset=dataset, title="FAQ bench", body="# Shadows {#shadows}\n\nBox it.\n", by=planner
        )
        services.guide_publish(guide=guide, change_note="v1", revision=guide.draft_revision)
    vendor, _ = Vendor.objects.get_or_create(name="Bench FAQ vendor")
    Member.objects.get_or_create(user=annotator, vendor=vendor)
    today = timezone.localdate()
    Contract.objects.get_or_create(
        vendor=vendor,
        dataset=dataset,
        name="FAQ bench collection",
        defaults={
            "kind": Contract.Kind.COLLECTION,
            "unit": Contract.Unit.PHOTO,
            "currency": "USD",
            "unit_price": "1",
            "quantity": 1,
            "budget": "1",
            "starts_on": today - timedelta(days=10),
            "ends_on": today + timedelta(days=400),
        },
    )
    have = FaqEntry.objects.filter(guide=guide).count()
    reused = have == ENTRIES
    started = time.perf_counter()
    if not reused:
        FaqEntry.objects.filter(guide=guide).delete()
        rng = random.Random(SEED)
        rows = []
        for n in range(ENTRIES):
            question = _sentence(rng, rng.randint(6, 14)) + "?"
            answer = _sentence(rng, rng.randint(10, 40)) + "."
            if n == ENTRIES // 2:
                question = f"{RARE} {question}"
            rows.append(
                FaqEntry(
                    guide=guide,
                    anchor="shadows",
                    question=question,
                    answer=answer,
                    search_text=services.search_text_of(question, answer),
                )
            )
        FaqEntry.objects.bulk_create(rows, batch_size=2000)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE guides_faqentry")
    return {
        "guide": guide,
        "annotator": annotator,
        "reused": reused,
        "load_s": round(time.perf_counter() - started, 1),
    }


def _times(call) -> list[float]:
    for _ in range(WARMUPS):
        call()
    out = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _summary(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
    }


def run() -> dict:
    bench_database(DATABASE, bench="bench_faq")
    from django.db import connection
    from django.test import Client

    from guides.selectors.questions import faq_search
    from guides.services import search_text_of

    world = _world()
    guide = world["guide"]
    client = Client()
    client.force_login(world["annotator"])
    bare = (
        "SELECT id FROM guides_faqentry WHERE guide_id = %s AND search_text LIKE %s "
        "ORDER BY published_at DESC, id DESC LIMIT 50"
    )
    cases = []
    for label, query in QUERIES:
        needle = "%" + search_text_of(query) + "%"

        def api(query=query):
            response = client.get(f"/api/v1/guides/{guide.pk}/faq/?q={quote(query)}")
            assert response.status_code == 200, response.content[:300]
            return response

        def selector(query=query):
            return list(faq_search(guide=guide, query=query))

        def ceiling(needle=needle):
            with connection.cursor() as cursor:
                cursor.execute(bare, [guide.pk, needle])
                return cursor.fetchall()

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM guides_faqentry WHERE guide_id = %s AND search_text LIKE %s",
                [guide.pk, needle],
            )
            matches = cursor.fetchone()[0]
            cursor.execute("EXPLAIN " + bare, [guide.pk, needle])
            plan = " / ".join(row[0].strip() for row in cursor.fetchall())
        cases.append(
            {
                "case": label,
                "query": query,
                "matches": matches,
                "shown": len(api().json()),
                "api": _summary(_times(api)),
                "selector": _summary(_times(selector)),
                "bare_sql": _summary(_times(ceiling)),
                "uses_trigram_index": "guides_faq_search_trgm" in plan,
            }
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        )
        collate, ctype = cursor.fetchone()
    results = {
        "entries": ENTRIES,
        "reused": world["reused"],
        "load_s": world["load_s"],
        "collate": collate,
        "ctype": ctype,
        "target_p95_ms": TARGET_P95_MS,
        "api_p95_under_target": all(c["api"]["p95_ms"] < TARGET_P95_MS for c in cases),
        "cases": cases,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


def print_table(results: dict) -> None:
    print(
        f"FAQ search over {results['entries']} entries "
        f"(ctype {results['ctype']}; target p95 < {results['target_p95_ms']} ms)"
    )
    print(f"{'case':26} {'hits':>5} {'api p95':>9} {'selector':>9} {'bare SQL':>9}  index")
    for case in results["cases"]:
        print(
            f"{case['case']:26} {case['matches']:>5} {case['api']['p95_ms']:>8.1f}m "
            f"{case['selector']['p95_ms']:>8.1f}m {case['bare_sql']['p95_ms']:>8.1f}m  "
            f"{'trgm' if case['uses_trigram_index'] else 'no'}"
        )


if __name__ == "__main__":
    print_table(run())
