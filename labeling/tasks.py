"""Celery entry points of labeling: the sweep that reopens expired leases (beat)."""

from celery import shared_task


@shared_task(name="labeling.leases_sweep", time_limit=120, soft_time_limit=100, ignore_result=True)
def leases_sweep_task() -> int:
    from labeling import services

    return services.leases_sweep()
