"""Celery entry points of exports: each takes ids and calls one service.

The registered names keep their ``datasets.`` prefix from before exports had an app of their
own, so a message queued before an upgrade still runs after it.
"""

from celery import shared_task

from core.tasks import RELIABLE


@shared_task(name="datasets.export_plan", time_limit=3600, soft_time_limit=3540, **RELIABLE)
def export_plan_task(export_id: int) -> int:
    from exports import services

    return len(services.export_plan(export_id=export_id))


@shared_task(name="datasets.export_chunk", time_limit=3600, soft_time_limit=3540, **RELIABLE)
def export_chunk_task(chunk_id: int) -> str:
    from exports import services

    return services.export_chunk_build(chunk_id=chunk_id).status


@shared_task(
    name="datasets.export_join", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, **RELIABLE
)
def export_join_task(export_id: int) -> str:
    from exports import services

    return services.export_join(export_id=export_id).status


@shared_task(name="exports.sweep", time_limit=300, soft_time_limit=240, ignore_result=True)
def exports_sweep_task() -> int:
    """Beat's: queue again the steps of exports whose worker died (core.tasks)."""
    from exports import services

    return services.exports_sweep()
