import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Role, User
from datasets.models import Dataset, GroundTruthVersion
from datasets.services import demo_photos_ensure
from guides.models import Acknowledgement, Guide
from labeling.annotator_figures import vendor_annotator_figures
from labeling.models import Batch, Delivery, Task, TaskKind
from labeling.selectors import skipped_by_all_ids
from tests.factories.datasets import current_truths
from vendors.models import Contract, LedgerLine, Vendor

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_and_the_dataset_idempotently(capsys):
    call_command("seed_demo", photos=0)
    call_command("seed_demo", photos=0)

    roles = set(User.objects.exclude(role="").values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(is_staff=True, username="admin").exists()
    assert Dataset.objects.filter(name="Math formula photos").count() == 1
    assert User.objects.get(username="planner").check_password("groundwork-demo")
    assert "planner" in capsys.readouterr().out


def test_seed_demo_spreads_generated_photos_over_every_category_with_truth():
    call_command("seed_demo", photos=14)
    call_command("seed_demo", photos=14)

    dataset = Dataset.objects.get(name="Math formula photos")
    capture = dataset.axes.get(slug="capture")
    writing = dataset.axes.get(slug="writing")
    assert capture.categories.count() == 7 and writing.categories.count() == 2
    assert dataset.items.filter(contract_id=None).count() == 14  # and the vendors' photos
    # the demo's seeded split run, over the generated photos (the vendor's come after it)
    assert not dataset.items.filter(split="", contract_id=None).exists()
    assert dataset.split_runs.count() == 1
    assert dataset.decisions.count() == 3 and dataset.cell_quotas.count() == 1
    assert dataset.decisions.filter(answered_at=None).count() == 1  # one open question
    assert capture.categories.get(slug="cropped").decision is not None
    for category in [*capture.categories.all(), *writing.categories.all()]:
        assert category.items.exists(), category
        assert category.quota_target > 0
    truths = current_truths(dataset)
    assert truths.count() == 14
    assert set(truths.values_list("source", flat=True)) == {GroundTruthVersion.Source.GENERATOR}
    assert set(truths.values_list("number", flat=True)) == {1}
    assert not GroundTruthVersion.objects.exclude(pk__in=truths).exists()


def test_seeded_item_matches_its_stored_image_and_truth():
    call_command("seed_demo", photos=2)
    truth = GroundTruthVersion.objects.select_related("item").first()
    item = truth.item

    with default_storage.open(item.image.name, "rb") as handle:
        image = Image.open(handle)
        image.load()

    assert (image.width, image.height) == (item.width, item.height)
    categories = {c.axis.slug: c.slug for c in item.categories.select_related("axis")}
    assert categories == truth.annotation["categories"]
    formulas = [r for r in truth.annotation["regions"] if r["type"] == "formula"]
    assert formulas and all(r["attributes"]["latex"] for r in formulas)
    assert "meta" not in truth.annotation


def test_the_demo_leaves_photos_to_label_for_both_passes():
    call_command("seed_demo", photos=0)
    dataset = Dataset.objects.get(name="Math formula photos")

    demo_photos_ensure(dataset=dataset, count=7, full=2, formulas=3)

    assert dataset.items.filter(truth_types=",char,formula,").count() == 2
    assert dataset.items.filter(truth_types=",formula,").count() == 3  # the character pass's
    unlabeled = dataset.items.filter(ground_truth=None, status="new", contract_id=None)
    assert unlabeled.count() == 2  # the formula pass's


def test_the_demo_has_two_vendors_paid_in_two_currencies_with_people_contracts_and_batches():
    call_command("seed_demo", photos=0)
    dataset = Dataset.objects.get(name="Math formula photos")
    demo_photos_ensure(dataset=dataset, count=40, full=10, formulas=15)
    call_command("seed_demo", photos=40)
    call_command("seed_demo", photos=40)

    vendors = Vendor.objects.order_by("name")
    assert [v.name for v in vendors] == ["Hangul Data Works", "Northwind Labeling"]
    for vendor in vendors:
        roles = sorted(vendor.members.values_list("user__role", flat=True))
        assert roles == ["annotator", "annotator", "vendor_manager"]
        assert Batch.objects.filter(vendor=vendor).count() == 1
    # Hangul's work started: it delivered a file made in its own tool, three lines good
    delivery = Delivery.objects.get()
    assert delivery.batch.status == "in_progress"
    assert (delivery.status, delivery.accepted, delivery.refused) == ("done", 3, 3)
    assert sorted(delivery.lines.values_list("code", flat=True)) == [
        "", "", "", "duplicate_task", "invalid_annotation", "unknown_task"
    ]  # fmt: skip
    delivered = Task.objects.filter(batch=delivery.batch, annotator=delivery.created_by)
    assert delivered.filter(status="submitted").count() == 3
    # and both its annotators skipped one task: the planner has it to settle
    [skipped] = skipped_by_all_ids(batch=delivery.batch)
    assert Task.objects.get(pk=skipped).skips.count() == 2
    assert Batch.objects.get(vendor__name="Northwind Labeling").status == "in_progress"
    currencies = set(Contract.objects.values_list("currency", flat=True))
    assert currencies == {"KRW", "USD"}
    assert {k.slug for k in TaskKind.objects.filter(dataset=dataset)} == {
        "formula-boxes",
        "char-boxes",
    }
    collected = dataset.items.filter(contract_id__isnull=False)
    assert sorted(collected.values_list("status", flat=True)) == ["new"] * 4 + ["pending"] * 2
    assert LedgerLine.objects.filter(kind="accepted").count() == 4  # each accepted photo once
    # the annotators worked in the tool today, once (the reruns added nothing), in their zones
    hangul = vendor_annotator_figures(vendor=Vendor.objects.get(name="Hangul Data Works"))
    northwind = vendor_annotator_figures(vendor=Vendor.objects.get(name="Northwind Labeling"))
    assert {row.zone for row in hangul} == {"Asia/Seoul"}
    assert {row.zone for row in northwind} == {"America/New_York"}
    assert User.objects.get(username="vendor").time_zone == "Asia/Seoul"
    by_name = {row.annotator.username: row for row in [*hangul, *northwind]}
    first = by_name["annotator"]
    assert (first.done, first.released, first.skipped) == (3, 1, 2)  # one skipped by all
    assert 139 <= first.median_active_seconds <= 142  # 95, 140 and 210 s of heartbeats
    assert (by_name["annotator2"].done, by_name["annotator2"].skipped) == (2, 3)
    assert all(row.done and row.median_active_seconds for row in by_name.values())


def test_the_demo_has_a_published_guide_with_examples_of_both_kinds():
    call_command("seed_demo", photos=28)
    call_command("seed_demo", photos=28)

    dataset = Dataset.objects.get(name="Math formula photos")
    guide = Guide.objects.get(dataset=dataset, task_kind_id=None)
    version = guide.versions.get()  # the second run published nothing more
    anchors = [section["anchor"] for section in version.sections]
    assert {"shadows", "cut-at-the-edge", "handwriting"} <= set(anchors)
    assert version.html.count('class="katex"') >= 4
    examples = list(guide.examples.select_related("item__ground_truth"))
    assert len(examples) == len({example.caption for example in examples}) == 5
    good = [example for example in examples if example.verdict == "good"]
    bad = [example for example in examples if example.verdict == "bad"]
    assert good and bad
    for example in good:  # drawn with the item's ground truth
        assert example.annotation["regions"] == example.item.ground_truth.annotation["regions"]
    for example in bad:  # drawn with an edited annotation
        assert example.annotation["regions"] != example.item.ground_truth.annotation["regions"]
    assert {example.anchor for example in examples} <= set(anchors)


def test_a_demo_annotator_opens_the_tool_on_a_task_and_another_is_sent_to_the_guide():
    call_command("seed_demo", photos=0)
    dataset = Dataset.objects.get(name="Math formula photos")
    demo_photos_ensure(dataset=dataset, count=40, full=10, formulas=15)
    call_command("seed_demo", photos=40)
    reader, other = APIClient(), APIClient()
    reader.force_login(User.objects.get(username="annotator3"))  # has read the guide
    other.force_login(User.objects.get(username="annotator"))
    # every demo annotator has read it (they worked today); one who has not is sent to it
    Acknowledgement.objects.filter(user__username="annotator").delete()

    found = reader.post("/api/v1/tasks/next/", {}, format="json").json()

    assert reader.get("/labeling/work/").status_code == 200
    assert found["state"] == "task"
    assert found["task"]["locked_types"] == ["formula"]  # the character pass shows formulas
    assert other.post("/api/v1/tasks/next/", {}, format="json").json()["state"] == "guide"
