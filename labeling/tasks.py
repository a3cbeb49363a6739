"""Celery entry points of labeling: the sweep that reopens expired leases (beat), the worker
that reads a delivered file, and the sweep that queues again a delivery whose worker died."""

from celery import shared_task

from core.tasks import RELIABLE


@shared_task(name="labeling.leases_sweep", time_limit=120, soft_time_limit=100, ignore_result=True)
def leases_sweep_task() -> int:
    from labeling import services

    return services.leases_sweep()


@shared_task(
    name="labeling.delivery_run", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60, **RELIABLE
)
def delivery_run_task(delivery_id: int) -> str:
    from labeling import services

    return services.delivery_run(delivery_id=delivery_id).status


@shared_task(name="labeling.sweep", time_limit=300, soft_time_limit=240, ignore_result=True)
def deliveries_sweep_task() -> int:
    """Beat's: queue again the deliveries whose worker died (labeling/services/deliveries.py)."""
    from labeling import services

    return services.deliveries_sweep()
