"""Writes of splits: stratified assignment by seed, freezing the test split, one item by hand.

``split_assign`` groups the eligible items by their category combination (the stratum),
shuffles each stratum with ``random.Random(seed)`` after sorting its ids, and cuts it by the
ratios so each stratum's counts are within one item of the ratio; the remainders are handed
out so the totals stay close to the ratios too. The same seed over the same items gives the
same assignment. Once the test split is frozen its items never move, and new assignments go
to train and val only, unless the scope is ``extend_test``.
"""

import logging
import math
import random
import secrets
from collections import Counter, defaultdict
from functools import partial
from numbers import Real

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.tasks import Lease
from datasets.models import UNCOUNTED_STATUSES, Dataset, Item, ItemEvent, Split, SplitRun
from datasets.services.coverage import coverage_move

SPLITS = ("train", "val", "test")
DEFAULT_RATIOS = {"train": 0.8, "val": 0.1, "test": 0.1}
#: "unassigned": items without a split; "all": every item not frozen; "extend_test": items
#: without a split, the frozen test split taking its share too.
SCOPES = ("unassigned", "all", "extend_test")
SEED_MAX = 2**63 - 1
_BATCH = 5000

logger = logging.getLogger(__name__)


def _bad_ratios(message: str) -> DomainError:
    return DomainError(message, code="bad_ratios", fields={"ratios": message})


def _checked_ratios(ratios) -> dict[str, float]:
    if not isinstance(ratios, dict) or not ratios:
        raise _bad_ratios(_("Give the ratios as an object such as {“train”: 0.8, “val”: 0.1}."))
    unknown = sorted(str(key) for key in ratios if key not in SPLITS)
    if unknown:
        raise _bad_ratios(
            _("Unknown splits in the ratios: %(names)s; use train, val and test.")
            % {"names": ", ".join(unknown)}
        )
    checked = {}
    for split in SPLITS:
        value = ratios.get(split, 0)
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise _bad_ratios(_("The ratio of %(split)s must be a number.") % {"split": split})
        if value < 0:
            raise _bad_ratios(_("The ratio of %(split)s cannot be negative.") % {"split": split})
        checked[split] = float(value)
    if abs(sum(checked.values()) - 1) > 1e-6:
        raise _bad_ratios(
            _("The ratios must add up to 1; these add up to %(sum)s.")
            % {"sum": round(sum(checked.values()), 6)}
        )
    return checked


def _checked_seed(seed) -> int:
    if seed is None:
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        message = _("The seed must be a whole number from 0 to %(max)s.") % {"max": SEED_MAX}
        raise DomainError(message, code="bad_seed", fields={"seed": message})
    return seed


def _cut(ids: list[int], ratios: dict[str, float], carry: dict[str, float]) -> dict[str, list[int]]:
    """Cut shuffled ids by the ratios: each split gets the floor or the ceiling of its share.

    The items left over after the floors go to the splits with the largest fraction plus
    what they were short of in earlier strata, so many small strata do not all round the
    same way (singletons would otherwise all land in train).
    """
    n = len(ids)
    exact = {split: round(ratios[split] * n, 9) for split in SPLITS}
    counts = {split: math.floor(exact[split]) for split in SPLITS}
    left = n - sum(counts.values())
    candidates = [split for split in SPLITS if exact[split] > counts[split]]
    candidates.sort(
        key=lambda split: (-(exact[split] - counts[split] + carry[split]), SPLITS.index(split))
    )
    for split in candidates[:left]:
        counts[split] += 1
    cut, start = {}, 0
    for split in SPLITS:
        carry[split] += exact[split] - counts[split]
        cut[split] = ids[start : start + counts[split]]
        start += counts[split]
    return cut


def _effective_ratios(ratios: dict[str, float], *, frozen: bool, scope: str) -> dict:
    """With the test split frozen, new assignments share train and val only."""
    if not frozen or scope == "extend_test":
        return dict(ratios)
    rest = ratios["train"] + ratios["val"]
    if rest <= 0:
        raise _bad_ratios(
            _("The test split is frozen, so items go to train and val only; give them a ratio.")
        )
    return {"train": ratios["train"] / rest, "val": ratios["val"] / rest, "test": 0.0}


@transaction.atomic
def split_assign_request(
    *,
    dataset: Dataset,
    ratios: dict | None = None,
    seed: int | None = None,
    scope: str = "unassigned",
    by: User | None,
) -> SplitRun:
    """Check a split assignment and queue it for a worker; the run shows when it is done."""
    run = _split_run_create(dataset=dataset, ratios=ratios, seed=seed, scope=scope, by=by)
    from datasets.tasks import split_assign_task

    transaction.on_commit(partial(split_assign_task.delay, run.pk))
    return run


def _split_run_create(*, dataset, ratios, seed, scope, by) -> SplitRun:
    """Record a requested run, checked first.

    Refuses bad ratios (``bad_ratios``), an unknown scope (``bad_scope``) or seed
    (``bad_seed``), and a second run while one is running (``split_running``, 409), before
    changing anything. Without a seed one is drawn and recorded.
    """
    ratios = _checked_ratios(DEFAULT_RATIOS if ratios is None else ratios)
    if scope not in SCOPES:
        message = _("Unknown scope “%(scope)s”; use unassigned, all or extend_test.") % {
            "scope": scope
        }
        raise DomainError(message, code="bad_scope", fields={"scope": message})
    seed = _checked_seed(seed)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _effective_ratios(ratios, frozen=dataset.test_frozen_at is not None, scope=scope)
    running = dataset.split_runs.filter(status=SplitRun.Status.RUNNING).first()
    if running is not None:
        raise DomainError(
            _("Split run %(id)s is still running; wait for it to finish.") % {"id": running.pk},
            code="split_running",
            status=409,
        )
    return SplitRun.objects.create(
        dataset=dataset, seed=seed, ratios=ratios, scope=scope, created_by=by
    )


def split_run_execute(*, run_id: int) -> SplitRun:
    """The worker's step: assign the splits a run asked for. Running it twice is harmless.

    The run's heartbeat lease is taken (and committed) first, so the sweep sees a worker
    that died inside the assignment's one transaction; any error ends the run failed with
    its reason, nothing assigned.
    """
    running = SplitRun.objects.filter(pk=run_id, status=SplitRun.Status.RUNNING)
    if Lease.claim(running) is None:  # finished, or a live worker is on it
        return SplitRun.objects.get(pk=run_id)
    try:
        return _split_run_apply(run_id)
    except Exception as error:  # recorded for the planner; the worker's log has the trace
        logger.exception("split run %s failed", run_id)
        running.update(
            status=SplitRun.Status.FAILED,
            error=_("The split assignment stopped, nothing was assigned: %(error)s")
            % {"error": str(error) or repr(error)},
            finished_at=timezone.now(),
        )
        return SplitRun.objects.get(pk=run_id)


@transaction.atomic
def _split_run_apply(run_id: int) -> SplitRun:
    run = SplitRun.objects.select_for_update().get(pk=run_id)
    if run.status != SplitRun.Status.RUNNING:
        return run
    dataset = Dataset.objects.select_for_update().get(pk=run.dataset_id)
    frozen = dataset.test_frozen_at is not None
    try:
        effective = _effective_ratios(run.ratios, frozen=frozen, scope=run.scope)
    except DomainError as error:  # frozen since the request, with only a test ratio
        run.status, run.error, run.finished_at = (
            SplitRun.Status.FAILED,
            error.message,
            timezone.now(),
        )
        run.save(update_fields=["status", "error", "finished_at"])
        return run

    items = Item.objects.filter(dataset=dataset).exclude(status__in=UNCOUNTED_STATUSES)
    if run.scope == "all":
        if frozen:
            items = items.exclude(split=Split.TEST)
    else:
        items = items.filter(split=Split.UNASSIGNED)
    rows = list(
        items.order_by("id")
        .select_for_update()
        .values_list("id", "category_key", "split", "status")
    )
    strata: dict[str, list[int]] = defaultdict(list)
    known = {}
    for pk, key, split, status in rows:
        strata[key].append(pk)
        known[pk] = (key, split, status)

    rng = random.Random(run.seed)
    carry = dict.fromkeys(SPLITS, 0.0)
    assigned: dict[str, list[int]] = {split: [] for split in SPLITS}
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        for split, chosen in _cut(ids, effective, carry).items():
            assigned[split].extend(chosen)

    moves: Counter = Counter()
    for split, ids in assigned.items():
        ids.sort()
        for start in range(0, len(ids), _BATCH):
            Item.objects.filter(pk__in=ids[start : start + _BATCH]).update(
                split=split, split_run=run
            )
        for pk in ids:
            key, before, status = known[pk]
            moves[((key, before, status), (key, split, status))] += 1
    coverage_move(dataset_id=dataset.pk, moves=moves)
    run.counts = {split: len(assigned[split]) for split in SPLITS}
    run.status, run.finished_at = SplitRun.Status.DONE, timezone.now()
    run.save(update_fields=["counts", "status", "finished_at"])
    return run


def split_assign(
    *,
    dataset: Dataset,
    ratios: dict | None = None,
    seed: int | None = None,
    scope: str = "unassigned",
    by: User | None,
) -> SplitRun:
    """Request and run an assignment at once, in this process (scripts, tests, small sets)."""
    with transaction.atomic():
        run = _split_run_create(dataset=dataset, ratios=ratios, seed=seed, scope=scope, by=by)
        return split_run_execute(run_id=run.pk)


@transaction.atomic
def split_test_freeze(*, dataset: Dataset, by: User | None) -> Dataset:
    """Freeze the test split: its items keep their split; new items fill train and val."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.test_frozen_at is not None:
        raise DomainError(
            _("The test split of this dataset has been frozen since %(at)s.")
            % {"at": timezone.localtime(dataset.test_frozen_at).strftime("%Y-%m-%d %H:%M")},
            code="test_already_frozen",
            status=409,
        )
    if not Item.objects.filter(dataset=dataset, split=Split.TEST).exists():
        raise DomainError(
            _("The test split has no items; assign splits before freezing it."),
            code="test_empty",
        )
    dataset.test_frozen_at = timezone.now()
    dataset.save(update_fields=["test_frozen_at", "updated_at"])
    return dataset


@transaction.atomic
def item_split_set(*, item: Item, split: str, by: User | None) -> Item:
    """Put one item in a split by hand; a frozen test split neither loses nor gains items."""
    if split not in Split.values:
        message = _("Unknown split “%(split)s”; use train, val, test or nothing.") % {
            "split": split
        }
        raise DomainError(message, code="bad_split", fields={"split": message})
    frozen_at = (Dataset.objects.select_for_update().values_list("test_frozen_at", flat=True)).get(
        pk=item.dataset_id
    )
    key, before, status = (
        Item.objects.select_for_update()
        .values_list("category_key", "split", "status")
        .get(pk=item.pk)
    )
    item.category_key, item.split, item.status = key, before, status
    if before == split:
        return item
    if status in UNCOUNTED_STATUSES:
        raise DomainError(
            _("Item %(id)s is a collected photo awaiting acceptance or rejected; it has no split.")
            % {"id": item.pk},
            code="item_not_accepted",
            status=409,
        )
    if frozen_at is not None and Split.TEST in (before, split):
        message = (
            _("Item %(id)s is in the frozen test split and cannot change split.")
            if before == Split.TEST
            else _("Item %(id)s cannot be moved into the frozen test split by hand.")
        ) % {"id": item.pk}
        raise DomainError(message, code="test_frozen", status=409)
    Item.objects.filter(pk=item.pk).update(split=split, split_run=None)
    item.split, item.split_run = split, None
    ItemEvent.objects.create(
        item=item,
        by=by,
        kind=ItemEvent.Kind.SPLIT,
        params={"before": before, "after": split},
    )
    coverage_move(
        dataset_id=item.dataset_id,
        moves=Counter({((key, before, status), (key, split, status)): 1}),
    )
    return item
