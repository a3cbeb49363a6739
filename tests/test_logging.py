"""The console log of `make run` is short: no notes from libraries, no tracebacks for a 4xx."""

import io
import logging

import pytest
from django.core.management import call_command

from accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the console handler of the logging config writes, while the test runs."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_403_is_logged_as_one_line_without_a_traceback(client_for, console):
    client_for(Role.ANNOTATOR).get("/datasets/")

    assert "Forbidden (Permission denied): /datasets/" in console.getvalue()
    assert "Traceback" not in console.getvalue()


def test_a_404_is_logged_as_one_line_without_a_traceback(client_for, console):
    client_for(Role.PLANNER).get("/datasets/999999/")

    assert "Not Found: /datasets/999999/" in console.getvalue()
    assert "Traceback" not in console.getvalue()


def test_seed_demo_logs_no_substituted_symbols(console):
    # Photo 1 is handwritten: its glyphs come partly from mathtext's fallback font.
    call_command("seed_demo", photos=3)

    assert "Substituting symbol" not in console.getvalue()
