"""Celery tasks of the floor: a ping the health check and the tests use."""

from celery import shared_task


@shared_task(name="core.ping")
def ping_task(value: str = "pong") -> str:
    return value
