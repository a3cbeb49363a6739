"""Celery tasks of the floor: a ping the health check and the tests use."""

from celery import shared_task

#: The options of every long job: taken back from a killed worker; results go unread (their
#: state lives in our own rows), and storing one makes every send subscribe to a result
#: channel on Redis.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="core.ping")
def ping_task(value: str = "pong") -> str:
    return value
