"""The demo's factory floor: two vendors with their people, task kinds, contracts, batches.

Used by ``manage.py seed_demo`` once the demo dataset exists. One vendor works in Seoul and
is paid in won, the other in New York in dollars; each has a manager and two annotators, a
contract and an open batch, and the first also collects photos (a few accepted, a few
waiting), so ``make run`` shows the vendor pages, contracts, statements, the portal and
the photo review with real-looking data. The first vendor has also delivered a file of
annotations made in its own tool: three good lines submitted, three refused with their
reasons; and both its annotators skipped one task (unreadable, not of this dataset), so the
batch page shows a task every annotator skipped for the planner to settle. Every vendor's
people work in its contract's time zone, and its annotators have worked in the tool today
(a few submits with active time, a release, skips), so "My tasks" and the portal's
"Annotators today" show figures. Safe to run again: what exists is left alone.
"""

import io
import json
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, User
from core.errors import DomainError
from datasets.models import Category, Dataset, Item
from guides import services as guide_services
from labeling.models import Batch, Lease, Task, TaskKind, TaskSkip
from labeling.selectors import task_document
from labeling.services.annotating import task_submit
from labeling.services.batches import batch_cut
from labeling.services.deliveries import delivery_create, delivery_run
from labeling.services.handout import task_claim_next, task_heartbeat, task_release, task_skip
from labeling.services.kinds import task_kind_create
from labeling.services.photos import photos_review, photos_upload
from synth import generate_photo
from vendors import services as vendor_services
from vendors.models import Contract, Member, Vendor

#: The demo's two passes: slug → (name, description, types, attributes, requires).
DEMO_TASK_KINDS = {
    "formula-boxes": (
        "Box formulas and type their LaTeX",
        "Draw a box around every formula and type what it says in LaTeX.",
        ["formula"],
        ["latex", "handwritten", "truncated", "angle"],
        [],
    ),
    "char-boxes": (
        "Box characters",
        "Inside each accepted formula box, box every character and type its symbol.",
        ["char"],
        ["symbol"],
        ["formula"],
    ),
}

#: The demo's vendors: their people (username, first name), contract terms and batch.
DEMO_VENDORS = {
    "Hangul Data Works": {
        "contacts": "운영팀 ops@hangul-data.example · 02-555-0134",
        "notes": "서울 소재. 손글씨 수식 경험이 많음. 주 단위로 정산.",
        "manager": ("vendor", "Vendor"),
        "annotators": [("annotator", "Annotator"), ("annotator2", "지민")],
        # each annotator's day in the tool: submits (their active seconds), then a release
        # and skips (their reasons)
        "today": [([95, 140, 210], 1, ["unreadable"]), ([80, 125], 0, ["no_content", "unsure"])],
        "contract": {
            "name": "Formula boxes 2026 H2",
            "task_kind": "formula-boxes",
            "unit": Contract.Unit.TASK,
            "currency": "KRW",
            "unit_price": "120",
            "quantity": 2000,
            "budget": "300000",
            "time_zone": "Asia/Seoul",
        },
        "batch": ("Formula boxes, week 49", {"writing=handwritten": 12, "writing=printed": 12}),
        "delivery": "hangul-week49.jsonl",
        "photos": {
            "name": "Shadow and highlighter photos",
            "unit_price": "500",
            "quotas": {"shadow": 40, "highlighter": 40},
            "budget": "40000",
        },
    },
    "Northwind Labeling": {
        "contacts": "Dana Reyes <dana@northwind.example>, +1 212 555 0188",
        "notes": "Strong on printed math; prefers weekly batches.",
        "manager": ("vendor2", "Dana"),
        "annotators": [("annotator3", "Sam"), ("annotator4", "Priya")],
        "today": [([150, 185], 1, []), ([110], 0, ["unreadable"])],
        "contract": {
            "name": "Character boxes, pilot",
            "task_kind": "char-boxes",
            "unit": Contract.Unit.REGION,
            "currency": "USD",
            "unit_price": "0.05",
            "expected_regions": "8",
            "quantity": 20000,
            "budget": "1200.00",
            "time_zone": "America/New_York",
        },
        "batch": ("Characters, pilot batch", {"writing=handwritten": 10, "writing=printed": 10}),
        "delivery": None,
        "photos": None,
    },
}


def demo_vendor_people() -> list[tuple[str, str, str]]:
    """(username, first name, role) of every demo vendor's people: seed_demo creates them."""
    people = []
    for spec in DEMO_VENDORS.values():
        people.append((*spec["manager"], Role.VENDOR_MANAGER))
        people += [(*person, Role.ANNOTATOR) for person in spec["annotators"]]
    return people


def _kinds(dataset: Dataset, planner: User) -> dict[str, TaskKind]:
    types = {t.slug: t for t in dataset.region_types.prefetch_related("attributes")}
    kinds = {}
    for slug, (name, description, edits, attributes, requires) in DEMO_TASK_KINDS.items():
        kind = TaskKind.objects.filter(dataset=dataset, slug=slug).first()
        if kind is None:
            edited = [types[t] for t in edits]
            kind = task_kind_create(
                dataset=dataset,
                name=name,
                slug=slug,
                description=description,
                types=edited,
                attributes=[a for t in edited for a in t.attributes.all() if a.name in attributes],
                requires=[types[t] for t in requires],
                by=planner,
            )
        kinds[slug] = kind
    return kinds


def _vendor(name: str, spec: dict, planner: User) -> Vendor:
    vendor = Vendor.objects.filter(name=name).first() or vendor_services.vendor_create(
        name=name, contacts=spec["contacts"], notes=spec["notes"], by=planner
    )
    for username, _first in [spec["manager"], *spec["annotators"]]:
        user = User.objects.get(username=username)
        if not Member.objects.filter(user=user).exists():
            vendor_services.member_add(vendor=vendor, user=user, by=planner)
    return vendor


def _contract(vendor, dataset, terms: dict, kind: TaskKind | None, planner, quotas=None):
    found = Contract.objects.filter(vendor=vendor, name=terms["name"]).first()
    if found:
        return found
    today = timezone.localdate()
    fields = {k: v for k, v in terms.items() if k not in ("task_kind", "name")}
    return vendor_services.contract_create(
        vendor=vendor,
        dataset=dataset,
        kind=Contract.Kind.LABELING if kind else Contract.Kind.COLLECTION,
        name=terms["name"],
        task_kind_id=kind.pk if kind else None,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=160),
        quotas=quotas,
        by=planner,
        **fields,
    )


def _photos(vendor, dataset, spec: dict, planner: User) -> None:
    """A collection contract with six photos: four accepted (paid), two waiting."""
    captures = {c.slug: c for c in Category.objects.filter(axis__dataset=dataset)}
    quotas = {captures[slug]: count for slug, count in spec["quotas"].items()}
    terms = {
        "name": spec["name"],
        "unit": Contract.Unit.PHOTO,
        "currency": "KRW",
        "unit_price": spec["unit_price"],
        "quantity": sum(spec["quotas"].values()),
        "budget": spec["budget"],
        "time_zone": "Asia/Seoul",
    }
    contract = _contract(vendor, dataset, terms, None, planner, quotas=quotas)
    if Item.objects.filter(contract_id=contract.pk).exists():
        return
    manager = Member.objects.filter(vendor=vendor, user__role=Role.VENDOR_MANAGER).first().user
    for index, capture in enumerate(["shadow", "highlighter"] * 3):
        image, _truth = generate_photo(
            seed=7000 + index, index=index, capture=capture, writing="handwritten", fast=True
        )
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88)
        buffer.seek(0)
        photos_upload(
            contract=contract,
            files=[(f"vendor-photo-{index + 1}.jpg", buffer)],
            categories=[captures[capture]],
            by=manager,
        )
    waiting = Item.objects.filter(contract_id=contract.pk).order_by("id")
    photos_review(contract=contract, items=list(waiting[:4]), accept=True, by=planner)


def _batch(dataset, kind, contract, name: str, need: dict, planner: User) -> Batch | None:
    """The vendor's open batch, as much of ``need`` as there is (none with too few photos)."""
    try:
        return batch_cut(
            dataset=dataset,
            task_kind=kind,
            contract=contract,
            need=need,
            due_on=timezone.localdate() + timedelta(days=7),
            name=name,
            seed=f"demo-{contract.pk}",
            allow_short=True,
            by=planner,
        )
    except DomainError as refused:
        if refused.code != "nothing_eligible":
            raise
        return None


def _formula(bbox: list[float], latex: str) -> dict:
    return {"id": "r1", "type": "formula", "bbox": bbox,
            "attributes": {"latex": latex, "handwritten": True}, "parent": None}  # fmt: skip


def _inside(task: Task) -> list[float]:
    """A box well inside the task's image."""
    width, height = task.item.width, task.item.height
    return [width * 0.1, height * 0.3, width * 0.6, height * 0.2]


def _delivery_lines(tasks: list[Task]) -> list[str]:
    """Three good lines (a formula box with its LaTeX, inside each image) and three bad
    ones: a box leaving the image, a task named twice, a task that is not the batch's."""

    def line(task: Task, bbox: list[float], latex: str) -> str:
        region = _formula(bbox, latex)
        return json.dumps({"task": task.pk, "annotation": {"regions": [region], "categories": {}}})

    good = [
        line(task, _inside(task), latex)
        for task, latex in zip(
            tasks[:3], ["x^2+y^2=r^2", "\\frac{a+b}{2}", "\\sqrt{2}"], strict=True
        )
    ]
    outside = line(tasks[3], [float(tasks[3].item.width), 0.0, 50.0, 20.0], "x")  # off the edge
    return [
        *good,
        outside,
        good[0],
        json.dumps({"task": 999_999_999, "annotation": {"regions": []}}),
    ]


def _delivery(batch: Batch | None, name: str, manager: User) -> None:
    """The vendor's file of annotations made in its own tool, delivered and checked."""
    if batch is None or batch.deliveries.exists():
        return
    tasks = list(
        Task.objects.filter(batch=batch, status=Task.Status.OPEN)
        .select_related("item")
        .order_by("order_key", "id")[:4]
    )
    if len(tasks) < 4:
        return
    text = "\n".join(_delivery_lines(tasks)) + "\n"
    delivery = delivery_create(
        batch=batch, file=ContentFile(text.encode(), name=name), name=name, by=manager
    )
    delivery_run(delivery_id=delivery.pk)  # at once: the demo shows its outcome


def _guides_read(annotator: User, batch: Batch) -> None:
    """The annotator has acknowledged the guides in force before working (none yet on a
    first seed): the demo's people work as real ones would, past the gate."""
    for need in guide_services.guide_gate(
        user=annotator, dataset_id=batch.dataset_id, task_kind_id=batch.task_kind_id
    ):
        if need.reason == "acknowledge":
            guide_services.acknowledgement_record(version=need.version, user=annotator)


#: Why each of a vendor's demo annotators skips the task they all skip, in their order.
DEMO_SKIP_REASONS = ("unreadable", "wrong_dataset")


def _skipped_by_all(batch: Batch | None, spec: dict) -> None:
    """Each of the vendor's annotators takes their next task of ``batch`` and skips it: the
    first open one, the same for all (a skip only keeps a task from its own skipper). None
    when the batch has skips already."""
    if batch is None or TaskSkip.objects.filter(task__batch=batch).exists():
        return
    for (username, _first), reason in zip(spec["annotators"], DEMO_SKIP_REASONS, strict=True):
        annotator = User.objects.get(username=username)
        _guides_read(annotator, batch)
        found = task_claim_next(annotator=annotator, batch=batch)
        if found.state != "task":
            return
        task_skip(task=found.task, annotator=annotator, reason=reason)


def _zones(spec: dict) -> None:
    """The vendor's people work where its contract does (an own zone is left alone)."""
    for username, _first in [spec["manager"], *spec["annotators"]]:
        user = User.objects.get(username=username)
        if not user.time_zone:
            account_services.user_set_time_zone(user=user, time_zone=spec["contract"]["time_zone"])


def _worked(task: Task, annotator: User, seconds: int) -> None:
    """``seconds`` of active time on the task held: heartbeats, each as if the last had
    come up to 50 s before (the cap on a gap is 60 s)."""
    while seconds > 0:
        gap = min(seconds, 50)
        Lease.objects.filter(task=task, ended_at=None).update(
            beat_at=F("beat_at") - timedelta(seconds=gap)
        )
        task_heartbeat(task=task, annotator=annotator)
        seconds -= gap


def _day_in_the_tool(batch: Batch | None, spec: dict) -> None:
    """Each annotator's day so far: submits with their active time, releases and skips,
    through the hand-out's own services. Once: an annotator who submitted is left alone."""
    if batch is None:
        return
    for (username, _first), (submits, releases, skips) in zip(
        spec["annotators"], spec["today"], strict=True
    ):
        annotator = User.objects.get(username=username)
        if Lease.objects.filter(annotator=annotator, end=Lease.End.SUBMITTED).exists():
            continue
        _guides_read(annotator, batch)
        steps = [("submit", s) for s in submits] + [("release", None)] * releases
        steps += [("skip", reason) for reason in skips]
        for how, detail in steps:
            found = task_claim_next(annotator=annotator, batch=batch)
            if found.state != "task":  # nothing left, or a guide to read first
                break
            task = found.task
            if how == "submit":
                _worked(task, annotator, detail)
                document, version = task_document(task=task)
                if not document["regions"] and task.task_kind.slug == "formula-boxes":
                    document["regions"] = [_formula(_inside(task), "a^2+b^2=c^2")]
                task_submit(task=task, annotator=annotator, document=document, version=version)
            elif how == "release":
                _worked(task, annotator, 40)
                task_release(task=task, annotator=annotator)
            else:
                task_skip(task=task, annotator=annotator, reason=detail)


def demo_vendors_ensure(*, dataset: Dataset, planner: User) -> list[Vendor]:
    """The demo's vendors, contracts and open batches; what exists is left alone."""
    kinds = _kinds(dataset, planner)
    vendors = []
    for name, spec in DEMO_VENDORS.items():
        vendor = _vendor(name, spec, planner)
        kind = kinds[spec["contract"]["task_kind"]]
        contract = _contract(vendor, dataset, spec["contract"], kind, planner)
        batch_name, need = spec["batch"]
        if not Batch.objects.filter(contract=contract, name=batch_name).exists():
            _batch(dataset, kind, contract, batch_name, need, planner)
        if spec["delivery"]:
            manager = User.objects.get(username=spec["manager"][0])
            batch = Batch.objects.filter(contract=contract, name=batch_name).first()
            _delivery(batch, spec["delivery"], manager)
            _skipped_by_all(batch, spec)
        _zones(spec)
        _day_in_the_tool(Batch.objects.filter(contract=contract, name=batch_name).first(), spec)
        if spec["photos"]:
            _photos(vendor, dataset, spec["photos"], planner)
        vendors.append(vendor)
    return vendors
