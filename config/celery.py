"""The Celery app: configured from Django settings (CELERY_* names), tasks found in each app,
and the sweep beat runs (core/tasks.py: work whose worker died is queued again)."""

import ctypes
import os
import signal

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundwork")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _sweeps_schedule(sender, **kwargs) -> None:
    from django.conf import settings

    every = settings.JOB_SWEEP_SECONDS
    # each sweep is pointless once the next is due: it expires rather than piles up
    options = {"expires": every}
    sender.add_periodic_task(every, sender.signature("datasets.sweep"), options=options)
    sender.add_periodic_task(every, sender.signature("exports.sweep"), options=options)
    sender.add_periodic_task(every, sender.signature("labeling.sweep"), options=options)
    leases = settings.LEASE_SWEEP_SECONDS
    sender.add_periodic_task(
        leases, sender.signature("labeling.leases_sweep"), options={"expires": leases}
    )
    deltas = settings.COVERAGE_APPLY_SECONDS
    sender.add_periodic_task(
        deltas, sender.signature("datasets.coverage_apply"), options={"expires": deltas}
    )


_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: int) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies: a worker's pool
    children and its embedded beat never outlive a worker killed with SIGKILL (a restart
    would otherwise run two beats). Elsewhere nothing happens."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), sig)


@signals.beat_embedded_init.connect
def _beat_dies_with_its_worker(**kwargs) -> None:
    _die_with_parent(signal.SIGTERM)


@signals.worker_process_init.connect
def _pool_child_dies_with_its_worker(**kwargs) -> None:
    _die_with_parent(signal.SIGKILL)


@signals.worker_ready.connect
def _leftovers_remove(**kwargs) -> None:
    """A worker starting removes what killed workers left in the temporary directory."""
    from exports.services import temporaries_sweep

    temporaries_sweep()
