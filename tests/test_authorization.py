"""The authorization matrix: every URL pattern × method × role, held against authorization.yaml.

The expected answers are written by hand in ``tests/authorization.yaml`` (its head says how to
read it), never computed from the policy code, or this test could not fail. The test walks
Django's URL resolver: a pattern without a row fails, and so does a row without a pattern.
Each row is one test that asks as every role and reports every wrong answer at once.

Requests go to dataset A's URL with A's objects. For every pattern with two or more ids the
test also asks with A's first id and B's other ids (``/datasets/A/items/<B's item>/``): that
is 404 for every role the row lets past authentication, so an object of another dataset is
never reachable through a dataset the user can see.

Both datasets, the users and their sessions and tokens are built once per module inside a
transaction that is rolled back at the end; each request runs in its own savepoint, rolled
back after it, so a DELETE never changes what the next request sees.
"""

import re
import sys
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import services as account_services
from accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.datasets import FilledDataset, filled_dataset
from tests.factories.vendors import filled_vendor

MATRIX = Path(__file__).with_name("authorization.yaml")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Keys of a case that are not method rows.
CASE_KEYS = {"args", "query", "format", "worker", "also"}
#: Answers that come before a view looks at any object: they stay in the cross-dataset check.
BEFORE_OBJECTS = {"login", "admin-login", 401, 405}
BOUNDARY, MULTIPART = "matrix-boundary", "multipart/form-data"
CONVERTER = re.compile(r"<(?:(?P<type>\w+):)?(?P<name>\w+)>")

# How each role of the matrix's columns is made: a session user with this role, or a token.
SESSION_ROLES = {
    "planner": Role.PLANNER,
    "reviewer": Role.REVIEWER,
    "trainer": Role.TRAINER,
    "annotator": Role.ANNOTATOR,
    "vendor_manager": Role.VENDOR_MANAGER,
    "other_manager": Role.VENDOR_MANAGER,  # of vendor B: the annotator and manager are A's
    "other_annotator": Role.ANNOTATOR,
    "staff": "",  # is_staff, no role
}
TOKEN_ROLES = {"token", "revoked"}  # the trainer's API token, valid or revoked; no session
ANONYMOUS_ROLES = {"anon"}


def excluded(route: str) -> bool:
    """Framework URLs the matrix leaves out, and why.

    The Django admin's own pages below ``admin/`` (model lists, login, password change): the
    admin guards all of them with ``is_staff`` itself, and ``admin/`` has a row. Static files
    are served by WhiteNoise's middleware and media never by Django, so neither has a pattern.
    """
    return route.startswith("admin/") and route != "admin/"


def resolver_routes(resolver=None, prefix: str = "") -> dict[str, str]:
    """Every URL pattern of the project as its route ("datasets/<int:dataset_id>/") → name."""
    routes: dict[str, str] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.update(resolver_routes(pattern, route))
        elif isinstance(pattern, URLPattern) and not excluded(route):
            namespace = resolver.namespace if resolver is not None else None
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            routes[route] = name or "(unnamed)"
    return routes


# --- reading the data file ---------------------------------------------------------------


@dataclass
class Row:
    """One line of the file: some methods of a route (one case of it), answered per role."""

    route: str
    methods: tuple[str, ...]
    expected: dict[str, object]  # role → 200, 403, "login", …
    args: dict[str, str] = field(default_factory=dict)
    query: str = ""
    format: str = "form"
    worker: bool = False

    @property
    def id(self) -> str:
        shown = " ".join(f"{key}={value}" for key, value in self.args.items())
        return f"{' '.join(self.methods)} /{self.route}" + (f" [{shown}]" if shown else "")

    @property
    def object_ids(self) -> list[str]:
        """The route's ids that name objects (not the parts ``args`` sets)."""
        names = [match["name"] for match in CONVERTER.finditer(self.route)]
        return [name for name in names if name not in self.args]


@dataclass
class Matrix:
    roles: list[str]
    rows: list[Row]
    routes: set[str]
    problems: list[str]


def _status(value, where: str, problems: list[str]):
    if isinstance(value, int) and 200 <= value <= 599 and value != 500:
        return value
    if value in ("login", "admin-login"):
        return value
    problems.append(f"{where}: {value!r} is not a status (an HTTP code, login or admin-login)")
    return None


def _expected(answers, roles: list[str], groups: dict, where: str, problems: list[str]) -> dict:
    """Role → status from a row's ``{role or group or others: status}``; each role once."""
    if not isinstance(answers, dict):
        problems.append(f"{where}: a row is a mapping of roles to statuses, not {answers!r}")
        return {}
    expected: dict[str, object] = {}
    for key, value in answers.items():
        if key == "others":
            continue
        members = groups.get(key, [key] if key in roles else None)
        if members is None:
            problems.append(f"{where}: {key!r} is neither a role nor a group")
            continue
        for role in members:
            if role in expected:
                problems.append(f"{where}: {role} is named twice (via {key!r})")
            expected[role] = _status(value, f"{where} {key}", problems)
    for role in roles:
        if role not in expected:
            if "others" not in answers:
                problems.append(f"{where}: no answer for {role} (name it, or add others:)")
            else:
                expected[role] = _status(answers["others"], f"{where} others", problems)
    return expected


def _case_rows(route: str, case: dict, base: dict, matrix: dict, problems: list[str]) -> list[Row]:
    unknown = set(case) - CASE_KEYS - {k for k in case if set(str(k).split()) <= set(METHODS)}
    for key in sorted(unknown, key=str):
        problems.append(f"/{route}: {key!r} is neither a method nor one of {sorted(CASE_KEYS)}")
    options = {**base, **{key: case[key] for key in ("args", "query", "format") if key in case}}
    rows = []
    for key, answers in case.items():
        if key in CASE_KEYS or key in unknown:
            continue
        methods = tuple(str(key).split())
        where = f"{' '.join(methods)} /{route}"
        expected = _expected(answers, matrix["roles"], matrix["groups"], where, problems)
        rows.append(
            Row(
                route=route,
                methods=methods,
                expected=expected,
                args={str(k): str(v) for k, v in (options.get("args") or {}).items()},
                query=str(options.get("query") or ""),
                format=options.get("format") or ("json" if route.startswith("api/") else "form"),
                worker=bool(base.get("worker")),
            )
        )
    return rows


def load_matrix(path: Path = MATRIX) -> Matrix:
    """The rows of the data file, and every problem with their shape (to report, not raise)."""
    data = yaml.safe_load(path.read_text())
    problems: list[str] = []
    roles = list(data["roles"])
    groups = {name: list(members) for name, members in data["groups"].items()}
    groups["all"] = roles
    for name, members in groups.items():
        if name in roles:
            problems.append(f"group {name}: a role has that name")
        for role in set(members) - set(roles):
            problems.append(f"group {name}: {role!r} is not a role")
    for role in set(roles) - set(SESSION_ROLES) - TOKEN_ROLES - ANONYMOUS_ROLES:
        problems.append(f"role {role!r} has no client here: add it to {__name__}'s roles")
    matrix = {"roles": roles, "groups": groups}
    rows: list[Row] = []
    for route, entry in data["routes"].items():
        route = str(route or "")
        entry = entry or {}
        base = {key: entry.get(key) for key in ("args", "query", "format", "worker")}
        case_rows = _case_rows(route, entry, base, matrix, problems)
        covered = [method for row in case_rows for method in row.methods]
        for method in METHODS:
            if covered.count(method) != 1:
                problems.append(
                    f"/{route}: {method} has {covered.count(method)} rows; every method has one"
                )
        for extra in set(covered) - set(METHODS):
            problems.append(f"/{route}: {extra} is not one of {', '.join(METHODS)}")
        rows += case_rows
        for case in entry.get("also") or []:
            rows += _case_rows(route, case, {**base, "args": None, "query": None}, matrix, problems)
    return Matrix(roles=roles, rows=rows, routes={row.route for row in rows}, problems=problems)


MATRIX_ROWS = load_matrix()


def cross_rows(rows: list[Row]) -> list[Row]:
    """The rows worth asking again with another dataset's objects: two ids or more, and some
    role that gets past authentication and method checks to the view's lookups."""
    crossed = []
    for row in rows:
        if len(row.object_ids) < 2 or row.worker:
            continue
        expected = {
            role: answer if answer in BEFORE_OBJECTS else 404
            for role, answer in row.expected.items()
        }
        if any(answer == 404 for answer in expected.values()):
            crossed.append(Row(**{**row.__dict__, "expected": expected}))
    return crossed


# --- asking ------------------------------------------------------------------------------


@dataclass
class People:
    """One user per role, each with a session, and the trainer's tokens (valid and revoked)."""

    users: dict
    sessions: dict[str, str]
    keys: dict[str, str]
    client: Client

    @classmethod
    def build(cls) -> "People":
        users = {
            name: UserFactory(
                username=f"matrix-{name}", role=role, is_staff=name == "staff", password=None
            )
            for name, role in SESSION_ROLES.items()
        }
        sessions = {}
        for name, user in users.items():
            signed_in = Client()
            signed_in.force_login(user)
            sessions[name] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        valid = account_services.token_create(user=users["trainer"], name="matrix").key
        revoked = account_services.token_create(user=users["trainer"], name="matrix revoked")
        account_services.token_revoke(token=revoked.token)
        # One client for every request: each new Client loads the middleware again, and
        # WhiteNoise's scans every static file (about 50 ms). Its cookies are reset per request.
        return cls(users, sessions, {"token": valid, "revoked": revoked.key}, Client())

    def answer(self, role: str, method: str, url: str, body_format: str) -> object:
        """What ``role`` gets: a status, "login" or "admin-login" for a redirect to sign in,
        or a description of the exception a view raised. Nothing it changes is kept."""
        client = self.client
        client.cookies = SimpleCookie()
        headers = {}
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        elif role in self.keys:
            headers["Authorization"] = f"Token {self.keys[role]}"
        data, content_type = "", "application/octet-stream"
        if method in ("POST", "PUT", "PATCH"):
            data, content_type = minimal_body(body_format)
        with transaction.atomic():
            try:
                response = client.generic(method, url, data, content_type, headers=headers)
            except Exception as error:  # noqa: BLE001 - a crash is reported as that role's answer
                return f"500 (raised {type(error).__name__}: {error})"
            finally:
                transaction.set_rollback(True)
        return classify(response)


def minimal_body(body_format: str) -> tuple[str | bytes, str]:
    """Writes send the least a view can read: ``{}`` to the API, one unknown field to forms."""
    if body_format == "json":
        return "{}", "application/json"
    if body_format == "multipart":
        return encode_multipart(BOUNDARY, {"matrix": "1"}), f"{MULTIPART}; boundary={BOUNDARY}"
    if body_format == "form":
        return urlencode({"matrix": "1"}), "application/x-www-form-urlencoded"
    raise ValueError(f"unknown format {body_format!r}: json, form or multipart")


def classify(response) -> object:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "admin-login"
        if location.startswith(reverse("accounts:login")):
            return "login"
        return f"{response.status_code} to {location}"
    return response.status_code


def matches(expected, got) -> bool:
    if expected == 302:  # a redirect that is not to a sign-in page
        return isinstance(got, str) and got.startswith("302 to ")
    return expected == got


def url_for(row: Row, datasets: list[FilledDataset], *, planner_token: int | None = None) -> str:
    """The row's route filled in: its first object id from ``datasets[0]``, the others from
    ``datasets[1]`` (when given); ``<token_id>`` is the planner's own API token."""
    position = 0

    def fill(match) -> str:
        nonlocal position
        name = match["name"]
        if name in row.args:
            return row.args[name]
        if name == "token_id" and planner_token is not None:
            return str(planner_token)
        if not datasets:
            raise LookupError(f"/{row.route}: <{name}> needs a dataset's object")
        dataset = datasets[min(position, len(datasets) - 1)]
        position += 1
        if not dataset.has_object(name):
            raise LookupError(
                f"/{row.route}: no object for <{name}>; add one to FilledDataset or FilledVendor"
            )
        return str(dataset.id_of(name))

    path = "/" + CONVERTER.sub(fill, row.route)
    return f"{path}?{row.query}" if row.query else path


def ask(people: People, row: Row, url: str) -> list[str]:
    """Every role's answer to every method of the row that is not the one written."""
    wrong = []
    for method in row.methods:
        for role, expected in row.expected.items():
            got = people.answer(role, method, url, row.format)
            if not matches(expected, got):
                wrong.append(f"  {method} {url} as {role}: expected {expected}, got {got}")
    return wrong


def report(row: Row, wrong: list[str], what: str) -> str:
    return f"{row.id} {what} (tests/authorization.yaml):\n" + "\n".join(wrong)


@dataclass
class World:
    people: People
    a: FilledDataset
    b: FilledDataset
    planner_token: int
    storages: dict


def storages_in(folder: Path) -> dict:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two filled datasets and the people, in a transaction the module ends by rolling back."""
    storages = storages_in(tmp_path_factory.mktemp("matrix-media"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(STORAGES=storages):
                people = People.build()
                planner = people.users["planner"]
                a = filled_dataset(by=planner, seed=0)
                b = filled_dataset(by=planner, seed=10)
                a.vendors = filled_vendor(
                    a,
                    name="Matrix vendor A",
                    manager=people.users["vendor_manager"],
                    annotator=people.users["annotator"],
                    by=planner,
                    seed=1,
                )
                b.vendors = filled_vendor(
                    b,
                    name="Matrix vendor B",
                    manager=people.users["other_manager"],
                    annotator=people.users["other_annotator"],
                    by=planner,
                    seed=11,
                )
                token = account_services.token_create(user=planner, name="planner's").token
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(*sys.exc_info())
            raise
    yield World(people=people, a=a, b=b, planner_token=token.pk, storages=storages)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def asked(world, db, settings, media_root):
    """The world, for a test: its files where its items were stored (not the test's folder)."""
    settings.STORAGES = world.storages
    return world


# --- the tests ---------------------------------------------------------------------------


def test_the_matrix_file_is_well_formed():
    if MATRIX_ROWS.problems:
        pytest.fail("tests/authorization.yaml:\n" + "\n".join(MATRIX_ROWS.problems), pytrace=False)


def test_every_url_pattern_has_rows_and_every_row_a_pattern():
    routes = resolver_routes()

    missing = [
        f"  /{route}  ({name})" for route, name in routes.items() if route not in MATRIX_ROWS.routes
    ]
    stale = [f"  /{route}" for route in sorted(MATRIX_ROWS.routes - set(routes))]

    if missing or stale:
        pytest.fail(
            "tests/authorization.yaml lacks rows for these URL patterns:\n"
            + "\n".join(missing or ["  (none)"])
            + "\nand has rows for these routes that no URL pattern has:\n"
            + "\n".join(stale or ["  (none)"]),
            pytrace=False,
        )


@pytest.mark.parametrize(
    "row", [row for row in MATRIX_ROWS.rows if not row.worker], ids=lambda row: row.id
)
def test_each_role_gets_the_answer_the_matrix_writes(asked, row):
    wrong = ask(asked.people, row, url_for(row, [asked.a], planner_token=asked.planner_token))

    if wrong:
        pytest.fail(report(row, wrong, "answered otherwise"), pytrace=False)


@pytest.mark.parametrize("row", cross_rows(MATRIX_ROWS.rows), ids=lambda row: row.id)
def test_an_object_of_another_dataset_is_not_found_through_this_one(asked, row):
    url = url_for(row, [asked.a, asked.b], planner_token=asked.planner_token)

    wrong = ask(asked.people, row, url)

    if wrong:
        pytest.fail(report(row, wrong, "with dataset B's objects under dataset A"), pytrace=False)
