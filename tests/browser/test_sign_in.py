import pytest
from django.core.management import call_command

pytestmark = pytest.mark.browser


def test_demo_planner_signs_in_and_reaches_home(live_server, page, artifacts):
    call_command("seed_demo", photos=0)

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=artifacts / "browser_home_planner.png", full_page=True)

    assert page.locator("h1").inner_text().startswith("Welcome")
    assert "planner" in page.get_by_test_id("signed-in-user").inner_text()
    assert page.get_by_role("navigation").get_by_role("link", name="Datasets").is_visible()


def test_language_switch_turns_the_page_korean_and_is_remembered(live_server, page, artifacts):
    call_command("seed_demo", photos=0)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "annotator")
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.select_option("#language-select", "ko")
    page.wait_for_load_state()
    page.screenshot(path=artifacts / "browser_home_annotator_ko.png", full_page=True)

    assert page.get_by_role("navigation").get_by_role("link", name="내 작업").is_visible()
    from accounts.models import User

    assert User.objects.get(username="annotator").language == "ko"


def test_planner_sees_coverage_bars_and_spec_history(live_server, page, artifacts):
    call_command("seed_demo", photos=14)
    from datasets.models import Dataset

    dataset = Dataset.objects.get(name="Math formula photos")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "planner")
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/datasets/{dataset.id}/")
    page.screenshot(path=artifacts / "browser_dataset_coverage.png", full_page=True)

    assert page.locator("table.coverage .bar").count() == 9
    # two generated shadow photos and the demo vendor's two accepted ones
    assert page.locator("tr[data-category='capture=shadow'] td").nth(2).inner_text() == "4"
    assert page.locator("table.history tbody tr").count() == 10
