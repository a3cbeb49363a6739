"""Signing out leaves no drafts in the browser; the header's scripts run under the strict
Content-Security-Policy of the labeling tool (no inline handlers)."""

import pytest
from django.core.management import call_command

from tests.browser.test_upload import sign_in

pytestmark = pytest.mark.browser


def test_sign_out_from_the_tool_clears_the_drafts_and_the_language_menu_works(
    live_server, tool_page
):
    page = tool_page
    call_command("seed_demo", photos=0)
    sign_in(page, live_server, "annotator")
    page.goto(f"{live_server.url}/labeling/work/")
    page.evaluate(
        """() => {
          for (const [user, task] of [[1, 7], [2, 8]]) {
            const copy = { user, task, base: 0, annotation: {} };
            localStorage.setItem(`groundwork.draft.${user}.${task}`, JSON.stringify(copy));
          }
        }"""
    )

    page.select_option("#language-select", "ko")  # submits the form, under script-src 'self'
    page.wait_for_function("document.documentElement.lang === 'ko'")
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url("**/accounts/login/**")

    drafts = page.evaluate(
        "Object.keys(localStorage).filter((key) => key.startsWith('groundwork.draft.'))"
    )
    assert drafts == []
