"""A planner cuts a batch in Chromium: picks the kind and contract, previews, cuts, and the
batch is assigned to the vendor with exactly the items the preview showed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from labeling.models import Batch, Task
from tests.factories.labeling import make_floor

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user) -> None:
    user.set_password("pw-for-the-browser")
    user.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_planner_cuts_a_batch_with_the_preview_and_assigns_it(
    live_server, page, make_user, artifacts
):
    floor = make_floor()
    sign_in(page, live_server, make_user(Role.PLANNER))
    page.goto(f"{live_server.url}/datasets/{floor.dataset.pk}/")
    page.click("text=Cut a batch")
    page.wait_for_url(f"{live_server.url}/labeling/datasets/{floor.dataset.pk}/batches/new/")

    page.select_option("#id_task_kind", str(floor.formula.pk))
    page.select_option("#id_contract", str(floor.contract.pk))
    page.fill("#id_due_on", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.fill("#id_name", "Shadow and highlighter, handwritten")
    page.fill(f"#id_need_{floor.c['shadow'].pk}", "12")
    page.fill(f"#id_need_{floor.c['highlighter'].pk}", "8")
    page.fill(f"#id_need_{floor.c['clean'].pk}", "0")
    page.check(f"#id_filter_{floor.c['handwritten'].pk}")
    page.click("#preview-button")

    summary = page.locator('[data-preview="summary"]')
    summary.wait_for()
    assert "20 items" in summary.inner_text()
    shadow = page.locator('tr[data-key="capture=shadow"]')
    assert shadow.locator('[data-cell="taken"]').inner_text() == "12"
    assert shadow.locator('[data-cell="available"]').inner_text() == "30"
    assert shadow.locator('[data-cell="coverage"]').inner_text() == "0 → 12"
    assert "$17.00" in page.locator('[data-preview="cost"]').inner_text()
    seed = page.input_value("#id_seed")
    assert seed
    shown = page.eval_on_selector_all(
        '[data-preview="sample"] img', "images => images.map((i) => i.src)"
    )
    page.screenshot(path=artifacts / "browser_cut_batch_preview.png", full_page=True)

    page.click("#cut-button")
    page.wait_for_url(f"{live_server.url}/labeling/batches/*/")

    batch = Batch.objects.get()
    assert batch.vendor == floor.vendor and batch.contract == floor.contract
    assert batch.seed == seed and batch.size == 20
    taken = set(Task.objects.filter(batch=batch).values_list("item_id", flat=True))
    assert all(any(f"/items/{pk}/" in src for pk in taken) for src in shown)
    assert floor.vendor.name in page.content()
    page.screenshot(path=artifacts / "browser_cut_batch_detail.png", full_page=True)
