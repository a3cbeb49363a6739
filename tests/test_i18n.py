"""English and Korean from the first page; the Korean catalogue has no gap."""

import re
import shutil
import subprocess

import pytest
from django.test import Client

from accounts.models import Role
from tests.conftest import ROOT

SOURCES = [
    "config",
    "core",
    "accounts",
    "datasets",
    "exports",
    "evaluation",
    "vendors",
    "guides",
    "labeling",
    "review",
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


def test_korean_catalogue_covers_every_string_makemessages_finds(tmp_path):
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
        [python, "manage.py", "makemessages", "-l", "ko", "--no-location", "-v0"],
        cwd=tmp_path,
        check=True,
        timeout=120,
        capture_output=True,
    )
    po = tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"

    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert stats.returncode == 0, stats.stderr
    assert re.search(r"^\d+ translated messages\.$", stats.stderr.strip()), stats.stderr
