"""Every page of every role, as `make run` serves it: DEBUG off, the collected static files.

One gunicorn process runs with the environment of the embedded start (DEBUG unset, plain
http on 127.0.0.1) against this run's test database. Chromium opens each page a role may
GET (read from tests/authorization.yaml, so a new page is visited as soon as it has its
rows) in English on a laptop and in Korean on a phone, and each page once more (by the first
role that reaches it) in English on a phone and in Korean on a laptop — every page in both
languages on both devices, at about half the visits of every role in all four. The test
fails on a console error, a failed request, or an element wider than the viewport that no
scroll container holds. Screenshots go to test-artifacts/pages/.
"""

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from accounts.models import Role
from datasets import services
from datasets.models import Dataset, Item
from exports import services as export_services
from guides.models import Guide, Question
from labeling.models import Batch
from tests.conftest import ARTIFACTS, ROOT, worker_database_url
from tests.factories.images import image_bytes
from tests.test_authorization import CONVERTER, load_matrix
from vendors import services as vendor_services
from vendors.models import Contract, Member

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}
#: (language, device, every role?): each role's pages, then each page once.
RUNS = (
    ("en", "laptop", True),
    ("ko", "phone", True),
    ("en", "phone", False),
    ("ko", "laptop", False),
)
#: The matrix's roles as the demo users who hold them (anon: no one signed in). Vendor B's
#: people (other_manager, other_annotator) see what A's do of their own company: not visited.
USERS = {
    "anon": None,
    "planner": "planner",
    "reviewer": "reviewer",
    "trainer": "trainer",
    "annotator": "annotator",
    "vendor_manager": "vendor",
    "staff": "admin",
}
#: Routes a role may GET that are not pages: data, files and scripts, checked elsewhere.
NOT_PAGES = re.compile(
    r"^(healthz|jsi18n/|.*coverage\.csv|.*/csv/|.*/file/<str:kind>/|.*/example/"
    r"|.*/attachments/<int:attachment_id>/|.*/image/|.*/crop/)$"
)

#: What the page holds that is wider than the viewport and not inside a scroll container:
#: the deepest such elements, as "tag#id.class (right edge px): their text".
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  }
  const scrolls = (node) => /(auto|scroll|hidden|clip)/.test(getComputedStyle(node).overflowX);
  const held = (node) => {
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) return true;
    }
    return false;
  };
  // Its box, or the text it lets spill out (a word too long for it), ends past the screen.
  const past = (node) => {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    return box.right > width + 1 || (!scrolls(node) && box.left + node.scrollWidth > width + 1);
  };
  for (const node of document.body.querySelectorAll("*")) {
    if (!past(node) || held(node)) continue;
    if ([...node.children].some(past)) continue;  // the deepest: where the excess starts
    const name = node.tagName.toLowerCase() + (node.id ? `#${node.id}` : "")
      + [...node.classList].map((c) => `.${c}`).join("");
    const box = node.getBoundingClientRect();
    const right = Math.round(Math.max(box.right, box.left + node.scrollWidth));
    found.push(`${name} (right edge ${right} px): ${node.textContent.trim().slice(0, 60)}`);
  }
  return found.slice(0, 6);
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture(scope="module")
def server(django_db_setup, celery_redis, tmp_path_factory):
    """gunicorn as `make run` starts it: DEBUG unset, collected static files, plain http."""
    folder = tmp_path_factory.mktemp("served")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "ALLOWED_HOSTS", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DATABASE_URL": worker_database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": celery_redis,
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions the test signs in with
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = _free_port()
    log = folder / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "8", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(f"{url}/accounts/login/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn never served: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield {"url": url, "media": folder / "media", "log": log}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_debug_off_an_unknown_url_gets_the_apps_own_answers(server):
    status, kind, page = _get(f"{server['url']}/no-such-page/")
    api_status, api_kind, api_body = _get(f"{server['url']}/api/v1/no-such-endpoint/")
    stylesheet = re.search(r'href="(/static/core/base\.[0-9a-f]{12}\.css)"', page)

    assert (status, kind) == (404, "text/html; charset=utf-8")
    assert "There is nothing here" in page
    assert "URLconf" not in page and "Traceback" not in page
    assert (api_status, api_kind) == (404, "application/json")
    assert json.loads(api_body)["error"]["code"] == "not_found"
    assert stylesheet, "the page links the collected, hashed stylesheet"
    assert _get(server["url"] + stylesheet[1])[0] == 200


def _seed() -> dict[str, int]:
    """The demo (users, dataset, pipeline, photos with truth and splits, vendors with their
    contracts and batches), processed, with an upload and a finished export: something on
    every page. Returns the ids pages take."""
    call_command("seed_demo", photos=0)
    dataset = Dataset.objects.get(name="Math formula photos")
    # a few photos of each share, so both vendors' batches have items to cut
    services.demo_photos_ensure(dataset=dataset, count=12, full=4, formulas=4)
    call_command("seed_demo", photos=12)
    planner = get_user_model().objects.get(username="planner")
    services.upload_files(
        dataset=dataset,
        files=[("IMG_0001.jpg", io.BytesIO(image_bytes(7)))],
        categories=[],
        by=planner,
    )
    for item in Item.objects.filter(dataset=dataset):
        services.item_process(item_id=item.pk)
    stage = dataset.stages.order_by("position", "id").first()
    export = export_services.export_request(
        dataset=dataset, stage=stage, splits=["train", "val", "test"], by=planner
    )
    export_services.export_build(export_id=export.pk)
    item = dataset.items.order_by("id").first()
    ids = {"dataset_id": dataset.pk, "item_id": item.pk, "stage_id": stage.pk}
    return {**ids, **_vendor_ids(planner), **_guide_ids(dataset)}


def _vendor_ids(planner) -> dict:
    """The demo vendor manager's company and its objects: an annotator member, an open
    invite with its link's key, its labeling contract, task kind and batch, a statement,
    the file of annotations it delivered."""
    manager = get_user_model().objects.get(username="vendor")
    vendor = Member.objects.get(user=manager).vendor
    member = Member.objects.filter(vendor=vendor, user__role=Role.ANNOTATOR).first()
    invite, key = vendor_services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    contract = Contract.objects.get(vendor=vendor, kind=Contract.Kind.LABELING)
    batch = Batch.objects.get(contract=contract)
    photos = Contract.objects.get(vendor=vendor, kind=Contract.Kind.COLLECTION)
    statement = vendor_services.statement_for(contract=photos)
    return {
        "vendor_id": vendor.pk,
        "member_id": member.pk,
        "invite_id": invite.pk,
        "key": key,
        "contract_id": contract.pk,
        "kind_id": batch.task_kind_id,
        "batch_id": batch.pk,
        "statement_id": statement.pk,
        "delivery_id": batch.deliveries.get().pk,
    }


def _guide_ids(dataset) -> dict:
    """The demo's guide: its latest version, the open question the vendor's annotator
    asked about it."""
    guide = Guide.objects.get(dataset=dataset, task_kind_id=None)
    question = Question.objects.filter(guide=guide, status=Question.Status.OPEN).first()
    return {
        "guide_id": guide.pk,
        "number": guide.versions.order_by("-number").first().number,
        "question_id": question.pk,
    }


def _pages_by_role(ids: dict[str, int]) -> dict[str, list[str]]:
    matrix = load_matrix()
    pages: dict[str, list[str]] = {role: [] for role in USERS}
    for row in matrix.rows:
        if "GET" not in row.methods or row.route.startswith("api/") or NOT_PAGES.match(row.route):
            continue
        roles = [role for role in USERS if row.expected.get(role) == 200]
        if not roles:
            continue
        path = "/" + CONVERTER.sub(lambda match: str(ids[match["name"]]), row.route)
        for role in roles:
            if path not in pages[role]:
                pages[role].append(path)
    return pages


def _session_cookie(username: str, url: str) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": url}


def _watched_page(context):
    """A page that notes, in ``page.problems``, what goes wrong while it loads."""
    page = context.new_page()
    page.problems, page.pending, page.visit, page.started_in = [], set(), 0, {}
    note = page.problems.append
    page.on("console", lambda m: m.type == "error" and note(f"console: {m.text}"))
    page.on("pageerror", lambda error: note(f"script error: {error}"))

    def started(request):
        page.pending.add(request)
        page.started_in[request] = page.visit

    def failed(request):
        page.pending.discard(request)
        earlier = page.started_in.pop(request, page.visit) < page.visit
        if earlier and "ERR_ABORTED" in (request.failure or ""):
            return  # the last page's lazy image, cut off by leaving that page
        note(f"request failed: {request.url} ({request.failure})")

    page.on("request", started)
    page.on("requestfinished", lambda request: page.started_in.pop(request, None))
    page.on("requestfinished", lambda request: page.pending.discard(request))

    page.on("requestfailed", failed)
    page.on("response", lambda r: r.status >= 400 and note(f"{r.status} for {r.url}"))
    return page


def _visit(page, url: str) -> list[str]:
    """Open ``url`` and return what went wrong on it."""
    page.problems.clear()
    page.pending.clear()
    page.visit += 1
    response = page.goto(url, wait_until="load")
    deadline = time.monotonic() + 1
    while page.pending and time.monotonic() < deadline:  # what its scripts fetch at once
        page.wait_for_timeout(50)
    problems = list(page.problems)
    if response is None or response.status != 200:
        problems.append(f"answered {response and response.status}")
    problems += [f"wider than the viewport: {found}" for found in page.evaluate(OVERFLOW)]
    return problems


def _screenshot(page, target) -> None:
    """Keep the page as a picture; Chromium on a loaded machine now and then cannot capture a
    tall page at once ("Unable to capture screenshot"), so it tries again once."""
    for attempt in (1, 2):
        try:
            page.screenshot(path=target, full_page=True, type="jpeg", quality=70)
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_reads_well_in_both_languages_on_laptop_and_phone(
    server, browser, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(server["media"])},  # where the server reads them
        },
    }
    ids = _seed()
    pages = _pages_by_role(ids)
    cookies = {role: _session_cookie(name, server["url"]) for role, name in USERS.items() if name}
    shots = ARTIFACTS / "pages"
    shutil.rmtree(shots, ignore_errors=True)  # this run's pages only
    failures: list[str] = []
    visited = 0
    started = time.monotonic()
    for language, device, every_role in RUNS:
        width, height = VIEWPORTS[device]
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        page = _watched_page(context)
        seen: set[str] = set()
        for role, paths in pages.items():
            context.clear_cookies()
            if role in cookies:
                context.add_cookies([cookies[role]])
            for path in paths:
                if not every_role and path in seen:
                    continue
                seen.add(path)
                problems = _visit(page, server["url"] + path)
                lang = page.evaluate("document.documentElement.lang")
                if lang != language:
                    problems.append(f"<html lang={lang!r}>, not {language!r}")
                name = re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "home"
                target = shots / f"{language}-{device}" / role / f"{name}.jpeg"
                target.parent.mkdir(parents=True, exist_ok=True)
                _screenshot(page, target)
                visited += 1
                failures += [f"{language} {device} {role} {path}: {p}" for p in problems]
        context.close()
    print(f"{visited} page visits in {time.monotonic() - started:.0f} s")

    assert visited >= 2 * 40 + 2 * 30, pages
    assert not failures, f"{len(failures)} problems on {visited} pages:\n" + "\n".join(failures)
