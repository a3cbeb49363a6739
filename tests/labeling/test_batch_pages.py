"""The task kinds, cut, batch list and batch pages: a planner cuts through the form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from labeling.models import Batch, Task
from tests.factories.labeling import cut

pytestmark = pytest.mark.django_db


def test_the_kinds_page_says_each_kind_in_words(floor, planner_client):
    response = planner_client.get(f"/labeling/datasets/{floor.dataset.pk}/kinds/")

    assert response.status_code == 200
    assert "Char — edits Char (symbol); needs accepted Formula boxes" in response.content.decode()


def test_a_planner_adds_a_kind_through_the_form(floor, planner_client):
    formula = floor.dataset.region_types.get(slug="formula")
    response = planner_client.post(
        f"/labeling/datasets/{floor.dataset.pk}/kinds/",
        {"name": "Box again", "slug": "again", "types": [formula.pk]},
    )

    assert response.status_code == 302
    assert floor.dataset.region_types.exists()


def test_the_cut_form_shows_one_row_per_category_with_its_gap(floor, planner_client):
    response = planner_client.get(f"/labeling/datasets/{floor.dataset.pk}/batches/new/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-key="capture=shadow"' in page and 'placeholder="60"' in page
    assert "Writing: Handwritten" in page


def test_a_planner_cuts_through_the_form(floor, planner_client):
    shadow = floor.c["shadow"]
    handwritten = floor.c["handwritten"]
    response = planner_client.post(
        f"/labeling/datasets/{floor.dataset.pk}/batches/new/",
        {
            "task_kind": floor.formula.pk,
            "contract": floor.contract.pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            f"need_{shadow.pk}": "4",
            f"need_{floor.c['highlighter'].pk}": "0",
            f"need_{floor.c['clean'].pk}": "0",
            f"filter_{handwritten.pk}": "on",
        },
    )

    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/labeling/batches/{batch.pk}/"
    assert batch.size == 4


def test_a_shortfall_shows_beside_its_category(floor, planner_client):
    response = planner_client.post(
        f"/labeling/datasets/{floor.dataset.pk}/batches/new/",
        {
            "task_kind": floor.formula.pk,
            "contract": floor.contract.pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            f"need_{floor.c['highlighter'].pk}": "99",
            f"need_{floor.c['shadow'].pk}": "0",
            f"need_{floor.c['clean'].pk}": "0",
        },
    )

    assert response.status_code == 400
    assert "99 asked, 25 available." in response.content.decode()
    assert not Batch.objects.exists()


def test_the_batch_page_shows_progress_and_cancels_untouched_tasks(floor, planner_client):
    batch = cut(floor, {"capture=shadow": 3})
    page = planner_client.get(f"/labeling/batches/{batch.pk}/").content.decode()
    assert "Shadow" in page and batch.seed in page and "Cancel 3 untouched tasks" in page

    response = planner_client.post(f"/labeling/batches/{batch.pk}/cancel/")

    assert response.status_code == 302
    assert set(Task.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_batch_list_shows_the_datasets_batches(floor, planner_client):
    batch = cut(floor, {"capture=shadow": 3}, name="Pilot")

    page = planner_client.get(f"/labeling/datasets/{floor.dataset.pk}/batches/").content.decode()

    assert "Pilot" in page and f"/labeling/batches/{batch.pk}/" in page


def test_a_manager_of_another_vendor_gets_404_on_the_batch_page(floor, client_for):
    from tests.factories.vendors import VendorFactory, member_of

    batch = cut(floor, {"capture=shadow": 3})
    other = client_for(Role.VENDOR_MANAGER)
    member_of(VendorFactory(), role=Role.VENDOR_MANAGER, user=other.user)

    assert other.get(f"/labeling/batches/{batch.pk}/").status_code == 404
    assert other.post(f"/labeling/batches/{batch.pk}/cancel/").status_code == 404


def test_the_cut_page_and_batch_page_speak_korean(floor, client_for):
    planner = client_for(Role.PLANNER, language="ko")
    batch = cut(floor, {"capture=shadow": 3})

    new = planner.get(f"/labeling/datasets/{floor.dataset.pk}/batches/new/").content.decode()
    detail = planner.get(f"/labeling/batches/{batch.pk}/").content.decode()

    assert "배치 만들기" in new and "미리 보기" in new and "카테고리별 항목 수" in new
    assert "카테고리별" in detail and "무작위 시드" in detail
