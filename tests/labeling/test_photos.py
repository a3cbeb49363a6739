"""Collection contracts: a vendor's photos come in awaiting acceptance, count nowhere until a
planner or reviewer accepts them, and are paid once each on the contract's ledger."""

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from core.errors import DomainError
from datasets import selectors as dataset_selectors
from datasets import services as dataset_services
from datasets.models import CoverageCount, Dataset, Item, ItemEvent, Upload
from labeling import photo_selectors, services
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services
from vendors.models import ContractQuota, LedgerLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    dataset = DatasetFactory()
    capture = dataset_services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    for slug in ("clean", "shadow", "glare"):
        dataset_services.category_create(
            axis=capture, name=slug.title(), slug=slug, quota_target=10, by=None
        )
    return dataset


def category(dataset: Dataset, slug: str):
    return dataset_services.categories_resolve(dataset=dataset, pairs=[slug])[0]


@pytest.fixture
def vendor():
    return VendorFactory(name="Photo House")


@pytest.fixture
def contract(dataset, vendor):
    contract = contract_for(vendor, dataset, unit_price="0.50", quantity=20, budget="10.00")
    ContractQuota.objects.create(
        contract=contract, category=category(dataset, "shadow"), quantity=3
    )
    ContractQuota.objects.create(contract=contract, category=category(dataset, "glare"), quantity=2)
    return contract


@pytest.fixture
def annotator(vendor):
    return member_of(vendor, role=Role.ANNOTATOR)


@pytest.fixture
def planner():
    return UserFactory(role=Role.PLANNER)


def photos(*seeds: int) -> list[tuple[str, io.BytesIO]]:
    return [(f"IMG_{seed}.jpg", io.BytesIO(image_bytes(seed))) for seed in seeds]


def upload(contract, by, *seeds: int, slug: str = "shadow"):
    return services.photos_upload(
        contract=contract,
        files=photos(*seeds),
        categories=[category(contract.dataset, slug)],
        by=by,
    )


def collected(dataset: Dataset) -> int:
    return dataset_selectors.coverage_report(dataset=dataset)["totals"]["collected"]


# --- upload ------------------------------------------------------------------------------


def test_a_vendor_members_photo_awaits_acceptance_and_counts_toward_nothing(contract, annotator):
    upload_row, entries = upload(contract, annotator, 1)

    item = Item.objects.get()
    assert [entry.outcome for entry in entries] == ["added"]
    assert (item.status, item.contract_id, upload_row.contract_id) == (
        Item.Status.PENDING,
        contract.pk,
        contract.pk,
    )
    report = dataset_selectors.coverage_report(dataset=contract.dataset)
    shadow = next(r for r in report["axes"][0]["categories"] if r["key"] == "capture=shadow")
    assert (report["totals"]["collected"], shadow["collected"], shadow["rate"]) == (0, 0, 0)
    assert not CoverageCount.objects.filter(dataset=contract.dataset).exclude(count=0).exists()
    [overview] = dataset_selectors.dataset_list_overview(
        datasets=Dataset.objects.filter(pk=contract.dataset_id)
    )
    assert overview["items"] == 0
    assert sum(dataset_selectors.split_summary(dataset=contract.dataset)["counts"].values()) == 0


def test_pending_and_rejected_photos_are_never_given_a_split(contract, annotator, planner):
    upload(contract, annotator, 1, 2)
    first, _second = Item.objects.order_by("pk")
    services.photos_review(contract=contract, items=[first.pk], accept=False, by=planner)

    run = dataset_services.split_assign(dataset=contract.dataset, scope="all", by=planner)

    assert sum(run.counts.values()) == 0
    assert set(Item.objects.values_list("split", flat=True)) == {""}
    with pytest.raises(DomainError) as refused:
        dataset_services.item_split_set(item=first, split="train", by=planner)
    assert refused.value.code == "item_not_accepted"


def test_a_duplicate_of_any_item_of_the_dataset_is_refused_as_a_duplicate(
    contract, annotator, planner
):
    dataset_services.item_register(dataset=contract.dataset, file=image_bytes(1), name="own.jpg")
    upload(contract, annotator, 2)

    for seed in (1, 2):  # an in-house item, then the vendor's own pending photo
        with pytest.raises(DomainError) as refused:
            upload(contract, annotator, seed)
        assert refused.value.code == "duplicate"
        assert "already in the dataset" in refused.value.message

    assert Item.objects.count() == 2
    assert Item.objects.filter(contract_id=contract.pk).count() == 1
    assert Upload.objects.filter(contract_id=contract.pk).count() == 1


def test_a_category_quota_refuses_more_photos_with_the_numbers(contract, annotator, planner):
    upload(contract, annotator, 1, 2)
    services.photos_review(
        contract=contract, items=[Item.objects.order_by("pk").first()], accept=True, by=planner
    )

    with pytest.raises(DomainError) as refused:
        upload(contract, annotator, 3, 4)

    assert refused.value.code == "quota_full"
    assert refused.value.message == (
        "“Shadow” has 2 of its 3 photos (1 accepted, 1 awaiting acceptance): 2 more would "
        "exceed it; 1 may still be sent."
    )
    assert Item.objects.count() == 2
    upload(contract, annotator, 3)  # the last place is still there
    assert Item.objects.count() == 3


def test_a_rejected_photo_frees_its_place_in_the_quota(contract, annotator, planner):
    upload(contract, annotator, 1, 2, slug="glare")
    services.photos_review(
        contract=contract, items=[Item.objects.order_by("pk").first()], accept=False, by=planner
    )

    upload(contract, annotator, 3, slug="glare")

    rows = {row["category"].slug: row for row in photo_selectors.photo_quotas(contract=contract)}
    assert (rows["glare"]["pending"], rows["glare"]["rejected"], rows["glare"]["left"]) == (2, 1, 0)


def test_categories_the_contract_names_no_quota_for_are_refused(contract, annotator):
    for slugs in (["clean"], []):
        with pytest.raises(DomainError) as refused:
            services.photos_upload(
                contract=contract,
                files=photos(1),
                categories=[category(contract.dataset, slug) for slug in slugs],
                by=annotator,
            )
        assert refused.value.code in ("category_not_in_contract", "no_category")
    assert not Item.objects.exists()


def test_the_contracts_quantity_counts_photos_awaiting_acceptance(dataset, vendor, annotator):
    contract = contract_for(vendor, dataset, unit_price="1", quantity=2, budget="100")
    ContractQuota.objects.create(
        contract=contract, category=category(dataset, "shadow"), quantity=5
    )
    upload(contract, annotator, 1, 2)

    with pytest.raises(DomainError) as refused:
        upload(contract, annotator, 3)

    assert refused.value.code == "contract_quantity"
    assert "has 2 of 2 photos left and 2 awaiting acceptance" in refused.value.message
    assert Item.objects.count() == 2


def test_the_contracts_budget_refuses_photos_it_could_not_pay(dataset, vendor, annotator):
    contract = contract_for(vendor, dataset, currency="KRW", unit_price="1200", budget="2000")
    ContractQuota.objects.create(
        contract=contract, category=category(dataset, "shadow"), quantity=5
    )
    upload(contract, annotator, 1)

    with pytest.raises(DomainError) as refused:
        upload(contract, annotator, 2)

    assert refused.value.code == "contract_budget"
    assert "₩2,000" in refused.value.message and "₩2,400" in refused.value.message
    assert Item.objects.count() == 1


def test_a_closed_or_ended_or_unstarted_contract_refuses_photos(contract, annotator):
    today = timezone.localdate()
    cases = {
        "contract_closed": {"closed_at": timezone.now()},
        "contract_ended": {"closed_at": None, "ends_on": today - timedelta(days=1)},
        "contract_not_started": {
            "starts_on": today + timedelta(days=1),
            "ends_on": today + timedelta(days=9),
        },
    }
    for code, fields in cases.items():
        for name, value in fields.items():
            setattr(contract, name, value)
        contract.save()
        with pytest.raises(DomainError) as refused:
            upload(contract, annotator, 1)
        assert refused.value.code == code
    assert not Item.objects.exists()


def test_a_labeling_contract_is_not_a_collection_contract(dataset, vendor, annotator):
    dataset_services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    contract = contract_for(vendor, dataset, task_kind=task_kind_for(dataset))

    with pytest.raises(DomainError) as refused:
        upload(contract, annotator, 1)

    assert (refused.value.code, refused.value.status) == ("not_collection", 400)
    assert not Item.objects.exists()


def test_only_the_vendors_members_and_planners_may_upload(contract, planner):
    other = member_of(VendorFactory(), role=Role.VENDOR_MANAGER)
    reviewer = UserFactory(role=Role.REVIEWER)
    for user in (other, reviewer):
        with pytest.raises(DomainError) as refused:
            upload(contract, user, 1)
        assert refused.value.status == 403
    upload(contract, planner, 1)
    assert Item.objects.count() == 1


# --- review ------------------------------------------------------------------------------


def test_accepting_a_photo_counts_it_and_pays_it_once(contract, annotator, planner):
    upload(contract, annotator, 1)
    item = Item.objects.get()

    [accepted] = services.photos_review(contract=contract, items=[item.pk], accept=True, by=planner)

    assert accepted.status == Item.Status.NEW
    assert collected(contract.dataset) == 1
    report = dataset_selectors.coverage_report(dataset=contract.dataset)
    shadow = next(r for r in report["axes"][0]["categories"] if r["key"] == "capture=shadow")
    assert (shadow["collected"], shadow["new"]) == (1, 1)
    [line] = LedgerLine.objects.filter(contract=contract)
    assert (line.kind, line.item_id, line.units, line.amount) == (
        LedgerLine.Kind.ACCEPTED,
        item.pk,
        Decimal(1),
        Decimal("0.50"),
    )
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.COLLECTED_ACCEPTED).exists()
    assert vendor_selectors.contract_room(contract=contract)["cost"] == Decimal("0.50")

    with pytest.raises(DomainError) as again:
        services.photos_review(contract=contract, items=[item.pk], accept=True, by=planner)
    assert (again.value.code, again.value.status) == ("not_pending", 409)
    with pytest.raises(DomainError) as paid:
        vendor_services.ledger_accept(contract=contract, item=item)
    assert paid.value.code == "already_paid"
    assert LedgerLine.objects.filter(contract=contract).count() == 1
    assert collected(contract.dataset) == 1


def test_a_rejected_photo_is_kept_unpaid_and_uncounted(contract, annotator, media_root):
    reviewer = UserFactory(role=Role.REVIEWER)
    upload(contract, annotator, 1)
    item = Item.objects.get()

    services.photos_review(contract=contract, items=[item], accept=False, by=reviewer)

    item.refresh_from_db()
    assert item.status == Item.Status.REJECTED
    assert (media_root / item.original.name).exists()
    assert not LedgerLine.objects.exists()
    assert collected(contract.dataset) == 0
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.COLLECTED_REJECTED).exists()
    with pytest.raises(DomainError):
        services.photos_review(contract=contract, items=[item.pk], accept=True, by=reviewer)
    assert not LedgerLine.objects.exists()


def test_reviewing_anything_but_the_contracts_photos_changes_nothing(
    dataset, contract, annotator, planner
):
    upload(contract, annotator, 1)
    photo = Item.objects.get()
    own, _created = dataset_services.item_register(dataset=dataset, file=image_bytes(9))

    with pytest.raises(DomainError) as refused:
        services.photos_review(contract=contract, items=[photo.pk, own.pk], accept=True, by=planner)

    assert refused.value.code == "unknown_items"
    photo.refresh_from_db()
    assert photo.status == Item.Status.PENDING
    assert not LedgerLine.objects.exists()


def test_vendor_members_may_not_accept_their_own_photos(contract, annotator):
    manager = member_of(contract.vendor, role=Role.VENDOR_MANAGER)
    upload(contract, annotator, 1)

    with pytest.raises(DomainError) as refused:
        services.photos_review(
            contract=contract, items=[Item.objects.get()], accept=True, by=manager
        )

    assert refused.value.status == 403
    assert Item.objects.get().status == Item.Status.PENDING


def test_accepting_beyond_the_budget_is_refused_with_the_numbers(dataset, vendor, annotator):
    planner = UserFactory(role=Role.PLANNER)
    contract = contract_for(vendor, dataset, unit_price="1.00", quantity=10, budget="2.00")
    ContractQuota.objects.create(
        contract=contract, category=category(dataset, "shadow"), quantity=5
    )
    upload(contract, annotator, 1, 2)
    contract.prices.create(unit_price=Decimal("1.50"))

    with pytest.raises(DomainError) as refused:
        services.photos_review(contract=contract, items=Item.objects.all(), accept=True, by=planner)

    assert refused.value.code == "contract_budget"
    assert "$3.00" in refused.value.message and "$2.00" in refused.value.message
    assert not LedgerLine.objects.exists()
    assert set(Item.objects.values_list("status", flat=True)) == {Item.Status.PENDING}


# --- API ---------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _file(seed: int):
    return SimpleUploadedFile(f"IMG_{seed}.jpg", image_bytes(seed), content_type="image/jpeg")


def test_the_api_takes_photos_lists_them_by_status_and_reviews_them(contract, annotator, planner):
    url = f"/api/v1/contracts/{contract.pk}/photos/"
    member = api_for(annotator)

    sent = member.post(
        url, {"files": [_file(1), _file(2)], "categories": "capture=shadow"}, format="multipart"
    )

    assert sent.status_code == 201, sent.content
    assert [entry["outcome"] for entry in sent.json()["entries"]] == ["added", "added"]
    upload_id = sent.json()["id"]
    assert member.get(f"{url}uploads/{upload_id}/").json()["added"] == 2
    assert len(member.get(f"{url}uploads/{upload_id}/entries/").json()["results"]) == 2
    listed = member.get(url, {"status": "pending"}).json()["results"]
    assert [photo["categories"] for photo in listed] == [{"capture": "shadow"}] * 2
    first, second = sorted(photo["id"] for photo in listed)

    refused = member.post(f"{url}review/", {"items": [first], "accept": True}, format="json")
    assert refused.status_code == 403
    reviewed = api_for(planner).post(
        f"{url}review/", {"items": [first], "accept": True}, format="json"
    )
    assert reviewed.status_code == 200, reviewed.content
    assert (reviewed.json()["accepted"], reviewed.json()["items"][0]["status"]) == (1, "accepted")
    assert [p["id"] for p in member.get(url, {"status": "accepted"}).json()["results"]] == [first]
    assert [p["id"] for p in member.get(url, {"status": "pending"}).json()["results"]] == [second]
    assert member.get(url, {"status": "paid"}).status_code == 400


def test_the_api_says_a_quota_refusal_with_the_numbers(contract, annotator):
    url = f"/api/v1/contracts/{contract.pk}/photos/"
    answer = api_for(annotator).post(
        url,
        {"files": [_file(1), _file(2), _file(3)], "categories": "capture=glare"},
        format="multipart",
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "quota_full"
    assert "has 0 of its 2 photos" in answer.json()["error"]["message"]
    assert not Item.objects.exists()


def test_the_photo_list_costs_the_same_queries_however_many_photos(
    contract, annotator, django_assert_max_num_queries
):
    client = api_for(annotator)
    url = f"/api/v1/contracts/{contract.pk}/photos/"
    upload(contract, annotator, 1)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    upload(contract, annotator, 2, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 3


def test_another_vendors_member_finds_nothing_of_this_contract(contract, annotator, planner):
    upload(contract, annotator, 1)
    services.photos_review(contract=contract, items=Item.objects.all(), accept=True, by=planner)
    item = Item.objects.get()
    [upload_row] = Upload.objects.all()
    stranger = member_of(VendorFactory(), role=Role.VENDOR_MANAGER)
    client = api_for(stranger)
    base = f"/api/v1/contracts/{contract.pk}/photos/"

    for answer in (
        client.get(base),
        client.post(base, {"files": [_file(5)], "categories": "shadow"}, format="multipart"),
        client.post(f"{base}review/", {"items": [item.pk], "accept": False}, format="json"),
        client.get(f"{base}uploads/{upload_row.pk}/"),
        client.get(f"{base}uploads/{upload_row.pk}/entries/"),
        client.get(f"/labeling/contracts/{contract.pk}/photos/{item.pk}/file/thumbnail/"),
        client.get(f"/labeling/contracts/{contract.pk}/photos/"),
        client.post(f"/labeling/contracts/{contract.pk}/photos/review/", {"items": [item.pk]}),
    ):
        assert answer.status_code == 404
    assert Item.objects.count() == 1


def test_a_member_sees_the_files_of_their_contracts_photos_only(contract, annotator, dataset):
    upload(contract, annotator, 1)
    photo = Item.objects.get()
    dataset_services.item_process(item_id=photo.pk)
    own, _created = dataset_services.item_register(dataset=dataset, file=image_bytes(9))
    dataset_services.item_process(item_id=own.pk)
    client = api_for(annotator)

    shown = client.get(f"/labeling/contracts/{contract.pk}/photos/{photo.pk}/file/thumbnail/")
    hidden = client.get(f"/labeling/contracts/{contract.pk}/photos/{own.pk}/file/thumbnail/")
    elsewhere = client.get(f"/datasets/{dataset.pk}/items/{photo.pk}/file/thumbnail/")

    assert (shown.status_code, hidden.status_code, elsewhere.status_code) == (200, 404, 404)
    assert shown["Content-Type"] == "image/jpeg"


# --- pages -------------------------------------------------------------------------------


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_a_member_their_photos_and_the_quotas(contract, annotator):
    upload(contract, annotator, 1)

    page = page_for(annotator).get(f"/labeling/contracts/{contract.pk}/photos/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-endpoint="/api/v1/contracts/{contract.pk}/photos/"' in html
    assert "Awaiting acceptance" in html
    assert page.context["quotas"][0]["pending"] == 1
    assert page.context["pending"] == []  # no review grid for the vendor
    assert 'value="accept"' not in html


def test_a_planner_accepts_all_shown_from_the_page(contract, annotator, planner):
    upload(contract, annotator, 1, 2)
    client = page_for(planner)
    url = f"/labeling/contracts/{contract.pk}/photos/"
    page = client.get(url)
    ids = [photo.pk for photo in page.context["pending"]]
    assert len(ids) == 2

    answer = client.post(f"{url}review/", {"items": ids, "decision": "accept"})

    assert answer.status_code == 302
    assert LedgerLine.objects.filter(contract=contract).count() == 2
    assert collected(contract.dataset) == 2
    again = client.post(f"{url}review/", {"items": ids, "decision": "reject"})
    assert again.status_code == 409
    assert "not awaiting acceptance" in again.content.decode()


def test_the_page_is_in_korean(contract, annotator):
    upload(contract, annotator, 1)
    client = page_for(annotator)
    client.cookies["django_language"] = "ko"

    html = client.get(
        f"/labeling/contracts/{contract.pk}/photos/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()

    assert "승인 대기" in html
    assert "Awaiting acceptance" not in html


def test_a_labeling_contract_lists_no_photos_and_takes_none_through_the_api(
    dataset, vendor, annotator
):
    dataset_services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    contract = contract_for(vendor, dataset, task_kind=task_kind_for(dataset))
    client = api_for(annotator)
    url = f"/api/v1/contracts/{contract.pk}/photos/"

    listed = client.get(url)
    sent = client.post(url, {"files": [_file(1)], "categories": "shadow"}, format="multipart")

    assert (listed.status_code, listed.json()["results"]) == (200, [])
    assert (sent.status_code, sent.json()["error"]["code"]) == (400, "not_collection")
    page = page_for(annotator).get(f"/labeling/contracts/{contract.pk}/photos/")
    assert page.status_code == 200
    assert 'data-testid="not-collection"' in page.content.decode()
    assert 'id="upload-form"' not in page.content.decode()
    assert not Item.objects.exists()


def test_nonsense_ids_are_refused_not_crashed_on(contract, annotator, planner):
    upload(contract, annotator, 1)
    url = f"/api/v1/contracts/{contract.pk}/photos/"
    files = {"files": [_file(2)], "categories": "shadow"}

    for value in ("abc", "9" * 30):
        sent = api_for(annotator).post(url, {**files, "upload": value}, format="multipart")
        assert (sent.status_code, sent.json()["error"]["code"]) == (400, "unknown_upload")
    huge = api_for(planner).post(
        f"{url}review/", {"items": [10**30], "accept": True}, format="json"
    )
    assert huge.status_code == 400
    page = page_for(planner).post(
        f"/labeling/contracts/{contract.pk}/photos/review/",
        {"items": ["9" * 30], "decision": "accept"},
    )
    assert page.status_code == 400
    assert Item.objects.filter(status=Item.Status.PENDING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_uploads_racing_for_a_quotas_last_place_take_turns(contract, annotator):
    upload(contract, annotator, 1, 2, slug="shadow")  # 2 of 3: one place left
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def first() -> None:  # takes the last place and holds its transaction open
        try:
            with transaction.atomic():
                upload(contract, annotator, 3)
                holding.set()
                outcome["released"] = release.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            upload(contract, annotator, 4)
            outcome["second"] = "added"
        except DomainError as error:
            outcome["second"] = error.code
        finally:
            connection.close()

    taker, loser = threading.Thread(target=first), threading.Thread(target=second)
    taker.start()
    assert holding.wait(10)
    loser.start()
    loser.join(1)
    waited = loser.is_alive()  # blocked on the contract's row, not counting beside it
    release.set()
    taker.join(10)
    loser.join(10)

    assert waited and outcome["released"]
    assert outcome["second"] == "quota_full"
    assert Item.objects.filter(contract_id=contract.pk).count() == 3


def test_the_photos_page_costs_the_same_queries_however_many_photos(
    contract, annotator, planner, django_assert_max_num_queries
):
    client = page_for(planner)
    url = f"/labeling/contracts/{contract.pk}/photos/"
    upload(contract, annotator, 1)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    upload(contract, annotator, 2, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["pending"]) == 3
