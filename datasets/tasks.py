"""Celery entry points of the datasets app: each takes ids and calls one service."""

from celery import shared_task

from core.tasks import RELIABLE


@shared_task(name="datasets.item_process", time_limit=300, soft_time_limit=240, **RELIABLE)
def item_process_task(item_id: int) -> str:
    from datasets import services

    item = services.item_process(item_id=item_id)
    return item.processing if item is not None else "refused"


@shared_task(
    name="datasets.upload_unpack", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, **RELIABLE
)
def upload_unpack_task(upload_id: int) -> str:
    from datasets import services

    return services.upload_unpack(upload_id=upload_id).status


@shared_task(name="datasets.split_assign", time_limit=3600, soft_time_limit=3540, **RELIABLE)
def split_assign_task(run_id: int) -> str:
    from datasets import services

    return services.split_run_execute(run_id=run_id).status


@shared_task(
    name="datasets.category_change", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60, **RELIABLE
)
def category_change_task(change_id: int) -> str:
    from datasets import services

    return services.category_change_run(change_id=change_id).status


@shared_task(
    name="datasets.metadata_strip", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, **RELIABLE
)
def metadata_strip_task(strip_id: int) -> str:
    from datasets import services

    return services.metadata_strip_run(strip_id=strip_id).status


@shared_task(name="datasets.sweep", time_limit=300, soft_time_limit=240, ignore_result=True)
def jobs_sweep_task() -> int:
    """Beat's: queue again the work whose worker died (datasets/services/recovery.py)."""
    from datasets import services

    return services.jobs_sweep()


@shared_task(
    name="datasets.coverage_apply", time_limit=120, soft_time_limit=100, ignore_result=True
)
def coverage_apply_task() -> int:
    """Beat's, every ``COVERAGE_APPLY_SECONDS``: fold labeling's pending coverage deltas into
    the counters. A killed run loses nothing: its delete rolls back with it."""
    from datasets import services

    return services.coverage_deltas_apply()
