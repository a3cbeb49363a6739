"""Debian's Chromium driven by Playwright (never Playwright's own browser download)."""

import os

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium. Playwright is started and stopped per test: its sync API keeps an
    asyncio loop running in the test thread, which must not outlive the browser test."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium.")
    # The test's own ORM calls run beside Playwright's loop; they are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
        # The test's ORM calls ran in Playwright's context, on connections of their own that
        # the test database's teardown never sees: close them, or it cannot be dropped.
        connections.close_all()


@pytest.fixture
def page(browser):
    """A fresh page in a context of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def tool_page(page):
    """A page that fails its test on any script error or Content-Security-Policy refusal
    (the labeling tool runs under script-src 'self' with no inline script)."""
    problems = []

    def console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{error.name}: {error.message}"))
    yield page
    assert problems == [], problems


@pytest.fixture
def world(db):
    """The labeling tool's world: a dataset with the demo's schema, a vendor and one of its
    annotators (password groundwork-demo)."""
    from accounts.models import Role
    from tests.factories.accounts import UserFactory
    from tests.factories.datasets import DatasetFactory, formula_schema
    from tests.factories.vendors import VendorFactory, member_of

    dataset = formula_schema(DatasetFactory())
    vendor = VendorFactory()
    annotator = member_of(vendor, user=UserFactory(role=Role.ANNOTATOR, password="groundwork-demo"))
    return dataset, vendor, annotator
