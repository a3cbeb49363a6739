"""A vendor's annotator drops photos for a collection contract; a planner accepts them."""

from accounts.models import Role
from datasets import services
from datasets.models import Item
from tests.browser.test_upload import drop_files, sign_in
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes
from tests.factories.vendors import VendorFactory, contract_for, member_of
from vendors.models import ContractQuota, LedgerLine


def _signed_up(user):
    user.set_password("groundwork-demo")
    user.save()
    return user


def test_an_annotator_drops_photos_and_a_planner_accepts_all_shown(
    live_server, browser, make_user, artifacts
):
    dataset = DatasetFactory()
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = services.category_create(axis=capture, name="Shadow", slug="shadow", by=None)
    services.item_register(dataset=dataset, file=image_bytes(3, size=(320, 240)), name="in.jpg")
    vendor = VendorFactory(name="Photo House")
    contract = contract_for(vendor, dataset, currency="KRW", unit_price="1200", budget="100000")
    ContractQuota.objects.create(contract=contract, category=shadow, quantity=5)
    annotator = _signed_up(member_of(vendor, role=Role.ANNOTATOR))
    planner = _signed_up(make_user("planner", username="accepter"))
    url = f"{live_server.url}/labeling/contracts/{contract.pk}/photos/"

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, annotator)
    page.goto(url)
    page.wait_for_selector("#upload-form[data-ready=true]")
    drop_files(
        page,
        [
            ("IMG_0001.jpg", "image/jpeg", image_bytes(1, size=(320, 240))),
            ("IMG_0002.jpg", "image/jpeg", image_bytes(2, size=(320, 240))),
            ("again.jpg", "image/jpeg", image_bytes(3, size=(320, 240))),  # already in
        ],
    )
    page.wait_for_function(
        "document.querySelectorAll('#upload-files li[data-outcome]').length === 3"
    )
    assert page.locator("#upload-files li[data-outcome=refused]").count() == 1
    assert "already in the dataset" in page.locator("#upload-files").inner_text()
    for item in Item.objects.filter(contract_id=contract.pk):  # no worker here: its step
        services.item_process(item_id=item.id)
    page.wait_for_function(  # read through the contract's own uploads API (data-uploads)
        "document.querySelector('[data-count=ready]').textContent === '2'", timeout=10_000
    )
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, planner)
    page.goto(url)
    assert page.locator("[data-testid=pending-photos] li.item-card").count() == 2
    page.screenshot(path=str(artifacts / "photos-review-ko-phone.png"), full_page=True)
    page.locator("[data-testid=accept-all] button").click()
    page.wait_for_selector("ul.messages")
    assert "승인 대기 중인 사진이 없습니다" in page.content()
    context.close()

    assert LedgerLine.objects.filter(contract=contract, kind="accepted").count() == 2
    assert set(Item.objects.filter(contract_id=contract.pk).values_list("status", flat=True)) == {
        Item.Status.NEW
    }
