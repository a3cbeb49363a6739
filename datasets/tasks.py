"""Celery entry points of the datasets app: each takes ids and calls one service."""

from celery import shared_task

#: Taken back from a killed worker; results go unread (their state lives in our own rows),
#: and storing one makes every send subscribe to a result channel on Redis.
_RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="datasets.item_process", time_limit=300, soft_time_limit=240, **_RELIABLE)
def item_process_task(item_id: int) -> str:
    from datasets import services

    item = services.item_process(item_id=item_id)
    return item.processing if item is not None else "refused"


@shared_task(
    name="datasets.upload_unpack", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, **_RELIABLE
)
def upload_unpack_task(upload_id: int) -> str:
    from datasets import services

    return services.upload_unpack(upload_id=upload_id).status


@shared_task(name="datasets.split_assign", time_limit=3600, soft_time_limit=3540, **_RELIABLE)
def split_assign_task(run_id: int) -> str:
    from datasets import services

    return services.split_run_execute(run_id=run_id).status


@shared_task(
    name="datasets.category_change", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60, **_RELIABLE
)
def category_change_task(change_id: int) -> str:
    from datasets import services

    return services.category_change_run(change_id=change_id).status


@shared_task(name="datasets.export_plan", time_limit=3600, soft_time_limit=3540, **_RELIABLE)
def export_plan_task(export_id: int) -> int:
    from datasets import services

    return len(services.export_plan(export_id=export_id))


@shared_task(name="datasets.export_chunk", time_limit=3600, soft_time_limit=3540, **_RELIABLE)
def export_chunk_task(chunk_id: int) -> str:
    from datasets import services

    return services.export_chunk_build(chunk_id=chunk_id).status


@shared_task(
    name="datasets.export_join", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60, **_RELIABLE
)
def export_join_task(export_id: int) -> str:
    from datasets import services

    return services.export_join(export_id=export_id).status
