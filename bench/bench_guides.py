"""Benchmark the work guides' versions: publishing, serving a version, the live preview.

Runs on its own PostgreSQL database ``bench_guides`` (on the server of DATABASE_URL;
``BENCH_GUIDES_DATABASE`` names another), migrated, with its own dataset, guide and users
(made again on each run, so it is bounded and needs no fixture data).

Measured, each beside a ceiling of the same run:

1. Publishing a 40 KB guide with 100 formulas (``guides.services.guide_publish``): wall time
   of each of ``PUBLISHES`` publishes, and of its parts — the whole render
   (``guides.rendering.guide_render``) and the 100 formulas alone through the one KaTeX
   renderer (``datasets.selectors.latex_render``), the floor of any render.
2. Serving the published version page (``/guides/<id>/v<n>/`` as a vendor's annotator,
   through Django's test Client and the whole middleware stack): p95 over ``REQUESTS``
   requests. Target: under 100 ms. Ceiling: a view behind the same stack returning a stored
   page of the same byte size with no work.
3. The preview round trip (``POST /api/v1/guides/<id>/preview/`` with the 40 KB text as the
   planner, what the editor sends after its debounce): p95 over ``PREVIEWS`` requests.
   Ceiling: the same-size POST to the no-work view.

    .venv/bin/python bench/bench_guides.py

Results: a table, and bench/results/guides.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_database  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "guides.json"
DATABASE = os.environ.get("BENCH_GUIDES_DATABASE", "bench_guides")
PUBLISHES = int(os.environ.get("BENCH_GUIDES_PUBLISHES", "5"))
REQUESTS = int(os.environ.get("BENCH_GUIDES_REQUESTS", "200"))
PREVIEWS = int(os.environ.get("BENCH_GUIDES_PREVIEWS", "30"))
WARMUPS = 5
FORMULAS = 100
BODY_BYTES = 40_000
TARGETS = {"serve_p95_ms": 100}
DATASET_NAME = "Guides benchmark"

# The formulas a guide about math photos holds: fractions, roots, sums, vectors, matrices.
_SHAPES = [
    r"\frac{a_{%d}+b}{2}",
    r"\sqrt{x^{%d}+y^2}",
    r"\sum_{i=1}^{%d} i^2 = \frac{n(n+1)(2n+1)}{6}",
    r"\overrightarrow{AB} + \vec{v}_{%d}",
    r"\int_0^{%d} e^{-t^2}\,dt",
    r"\begin{pmatrix} a & b \\ c & %d \end{pmatrix}",
    r"\lim_{x \to %d} \frac{\sin x}{x}",
    r"\binom{n}{%d}",
]
_PROSE = (
    "Box the whole formula, printed or handwritten, even when a shadow falls on part of it; "
    "a formula cut at the edge of the photo is boxed where it shows and marked truncated. "
)


def guide_body() -> str:
    """About 40 KB of Markdown with 100 formulas in 20 anchored sections."""
    parts = []
    for section in range(20):
        parts.append(f"## Section {section + 1} {{#section-{section + 1}}}\n")
        for index in range(5):
            n = section * 5 + index
            formula = _SHAPES[n % len(_SHAPES)] % (n + 1)
            math = f"$${formula}$$" if n % 4 == 0 else f"${formula}$"
            parts.append(f"- Rule {n + 1}: {_PROSE}For example {math}.\n")
        parts.append("\n| Case | Box? |\n|---|---|\n| shadow | yes |\n| blur | ask |\n\n")
    body = "\n".join(parts)
    filler = f"\n{_PROSE}\n"
    while len(body.encode()) < BODY_BYTES:
        body += filler
    return body


# --- set-up ------------------------------------------------------------------------------


_STORED: dict[str, bytes] = {}


def _ceiling_urls() -> str:
    """A URLconf: the project's, plus one view that answers a stored page with no work."""
    from django.http import HttpResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import config.urls

    @csrf_exempt
    def stored(request):
        return HttpResponse(_STORED["page"], content_type="text/html; charset=utf-8")

    module = types.ModuleType("bench_guides_urls")
    module.urlpatterns = [path("bench/stored/", stored), *config.urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


def _world() -> dict:
    from accounts.models import Role, User
    from datasets.models import Dataset
    from guides import services
    from guides.models import Guide
    from vendors.models import Contract, Member, Vendor
    from vendors.services import vendor_create

    Guide.objects.filter(dataset__name=DATASET_NAME).delete()
    Contract.objects.filter(dataset__name=DATASET_NAME).delete()
    Dataset.objects.filter(name=DATASET_NAME).delete()
    Member.objects.filter(vendor__name=DATASET_NAME).delete()
    Vendor.objects.filter(name=DATASET_NAME).delete()
    User.objects.filter(username__startswith="bench-guides-").delete()
    planner = User.objects.create_user("bench-guides-planner", role=Role.PLANNER)
    annotator = User.objects.create_user("bench-guides-annotator", role=Role.ANNOTATOR)
    dataset = Dataset.objects.create(name=DATASET_NAME, requirement="Formulas in photos.")
    vendor = vendor_create(name=DATASET_NAME, contacts="", by=planner)
    Member.objects.create(user=annotator, vendor=vendor)
    _contract(vendor, dataset)
    guide = services.guide_create(dataset=dataset, title="Benchmark guide", by=planner)
    return {"planner": planner, "annotator": annotator, "guide": guide}


def _contract(vendor, dataset) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.utils import timezone

    from vendors.models import Contract

    today = timezone.localdate()
    Contract.objects.create(
        vendor=vendor,
        dataset=dataset,
        kind=Contract.Kind.COLLECTION,
        name="bench",
        unit=Contract.Unit.PHOTO,
        currency="USD",
        unit_price=Decimal("1"),
        quantity=10,
        budget=Decimal("10"),
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        time_zone=settings.TIME_ZONE,
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _p95(samples: list[float]) -> float:
    return _ms(statistics.quantiles(samples, n=20)[-1])


def _timed(call, runs: int, warmups: int = WARMUPS) -> list[float]:
    for _ in range(warmups):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


# --- the parts ---------------------------------------------------------------------------


def _publish(world: dict, body: str) -> dict:
    from datasets.selectors import latex_render
    from guides import services
    from guides.rendering import guide_render

    guide = world["guide"]
    walls = []
    version = None
    for run in range(PUBLISHES):
        guide.refresh_from_db()
        text = body + f"\nRun {run}.\n"
        guide = services.guide_draft_save(
            guide=guide, body=text, revision=guide.draft_revision, by=world["planner"]
        )
        started = time.perf_counter()
        version = services.guide_publish(
            guide=guide,
            change_note=f"Run {run}.",
            revision=guide.draft_revision,
            drop_links=True,
            by=world["planner"],
        )
        walls.append(time.perf_counter() - started)
    rendered = guide_render(body)
    renders = _timed(lambda: guide_render(body), PUBLISHES, warmups=1)
    formulas = [(s % (n + 1), n % 4 == 0) for n, s in enumerate(_SHAPES * 13)][:FORMULAS]
    katex = _timed(lambda: [latex_render(f, display=d) for f, d in formulas], PUBLISHES, 1)
    world["version"] = version
    return {
        "part": "publish",
        "name": f"publish a {len(body.encode()) // 1000} KB guide, {rendered.formulas} formulas",
        "publish_median_ms": _ms(statistics.median(walls)),
        "publish_max_ms": _ms(max(walls)),
        "render_median_ms": _ms(statistics.median(renders)),
        "ceiling_katex_100_median_ms": _ms(statistics.median(katex)),
        "formula_errors": len(rendered.formula_errors),
        "html_kb": len(version.html.encode()) // 1000,
    }


def _serve(world: dict) -> dict:
    from django.test import Client, override_settings

    version = world["version"]
    client = Client()
    client.force_login(world["annotator"])
    url = f"/guides/{version.guide_id}/v{version.number}/"
    with override_settings(ROOT_URLCONF=_ceiling_urls()):
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        _STORED["page"] = page.content
        served = _timed(lambda: client.get(url), REQUESTS)
        bare = _timed(lambda: client.get("/bench/stored/"), REQUESTS)
    p95 = _p95(served)
    return {
        "part": "serve",
        "name": f"version page ({len(page.content) // 1000} KB), {REQUESTS} requests",
        "p50_ms": _ms(statistics.median(served)),
        "p95_ms": p95,
        "ceiling_p50_ms": _ms(statistics.median(bare)),
        "ceiling_p95_ms": _p95(bare),
        "target_p95_ms": TARGETS["serve_p95_ms"],
        "under_target": p95 < TARGETS["serve_p95_ms"],
    }


def _preview(world: dict, body: str) -> dict:
    from django.test import Client, override_settings

    guide = world["guide"]
    client = Client()
    client.force_login(world["planner"])
    payload = json.dumps({"body": body})
    url = f"/api/v1/guides/{guide.pk}/preview/"

    def post(path):
        response = client.post(path, payload, content_type="application/json")
        assert response.status_code == 200, response.status_code
        return response

    with override_settings(ROOT_URLCONF=_ceiling_urls()):
        answer = post(url)
        _STORED["page"] = answer.content
        previews = _timed(lambda: post(url), PREVIEWS, warmups=2)
        bare = _timed(lambda: post("/bench/stored/"), PREVIEWS, warmups=2)
    return {
        "part": "preview",
        "name": f"preview round trip of {len(payload) // 1000} KB, {PREVIEWS} requests",
        "p50_ms": _ms(statistics.median(previews)),
        "p95_ms": _p95(previews),
        "ceiling_p50_ms": _ms(statistics.median(bare)),
        "ceiling_p95_ms": _p95(bare),
    }


def run() -> list[dict]:
    bench_database(DATABASE, bench="bench_guides", plain_static=True)
    started = time.perf_counter()
    world = _world()
    body = guide_body()
    results = [{"part": "setup", "setup_s": round(time.perf_counter() - started, 2)}]
    results.append(_publish(world, body))
    results.append(_serve(world))
    results.append(_preview(world, body))
    results[0]["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def print_table(results: list[dict]) -> None:
    print(json.dumps(results[0]))
    for row in results[1:]:
        figures = ", ".join(f"{k}={v}" for k, v in row.items() if k not in {"part", "name"})
        verdict = ""
        if "under_target" in row:
            verdict = "  OK" if row["under_target"] else "  OVER TARGET"
        print(f"[{row['part']}] {row['name']}: {figures}{verdict}")


if __name__ == "__main__":
    print_table(run())
