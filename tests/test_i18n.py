"""English and Korean from the first page; the Korean catalogue has no gap."""

import json
import re
import shutil
import subprocess

import pytest
from django.test import Client

from accounts.models import Role
from tests.conftest import APPS, ROOT

SOURCES = [
    *APPS,
    "templates",
    "static",
    "locale",
    "manage.py",
]


@pytest.mark.django_db
def test_accept_language_ko_renders_korean():
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ko")

    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "아이디" in html and "비밀번호" in html


@pytest.mark.django_db
def test_the_users_own_language_wins_over_the_browser(make_user):
    client = Client()
    client.force_login(make_user(Role.PLANNER, language="ko"))

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "데이터셋" in html


@pytest.mark.parametrize(
    ("domain", "found"),
    [
        ("django", "Groundwork"),
        ("djangojs", "The server could not be reached; check the connection and try again."),
    ],
)
def test_korean_catalogue_covers_every_string_makemessages_finds(tmp_path, domain, found):
    """django: Python and templates; djangojs: the gettext() calls in static/**/*.js."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                tmp_path / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.mo", "synth"),
            )
        else:
            shutil.copy(source, tmp_path / name)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "makemessages", "-d", domain, "-l", "ko", "--no-location", "-v0"],
        cwd=tmp_path,
        check=True,
        timeout=120,
        capture_output=True,
    )
    po = tmp_path / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po"
    assert f'\nmsgid "{found}"' in po.read_text(), "makemessages found none of the strings"

    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert stats.returncode == 0, stats.stderr
    assert re.search(r"^\d+ translated messages\.$", stats.stderr.strip()), stats.stderr


# The catalogue writes its strings as JSON, non-ASCII letters escaped.
UNREACHABLE_KO = json.dumps("서버에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.")


def _catalog_url(html: str) -> str:
    match = re.search(r'<script src="(/jsi18n/\?[^"]+)" defer>', html)
    assert match, "base.html loads no JavaScript catalogue"
    return match[1].replace("&amp;", "&")


@pytest.mark.django_db
def test_a_korean_page_loads_the_korean_script_strings_cached_for_a_year(make_user):
    client = Client()
    client.force_login(make_user(Role.PLANNER, language="ko"))
    url = _catalog_url(client.get("/").content.decode())

    response = client.get(url)

    assert "language=ko" in url
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert UNREACHABLE_KO in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.django_db
def test_the_catalogue_of_a_url_is_its_language_whoever_asks():
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = _catalog_url(english.get("/accounts/login/").content.decode())

    korean_by_url = english.get(url.replace("language=en", "language=ko")).content.decode()
    english_body = english.get(url).content.decode()

    assert UNREACHABLE_KO in korean_by_url
    assert UNREACHABLE_KO not in english_body and "django.gettext" in english_body


@pytest.mark.django_db
def test_a_catalogue_url_of_another_version_is_revalidated():
    response = Client().get("/jsi18n/?language=ko&v=stale")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
