"""Writes of exports: ``requests`` checks and queues an export, cancels or retries one;
``building`` holds the worker steps that build it (plan, chunks, join)."""

from exports.services.building import (
    CHUNKS_AT_LEAST,
    SMALLEST_CHUNK,
    chunk_size,
    export_build,
    export_chunk_build,
    export_join,
    export_plan,
)
from exports.services.recovery import exports_sweep, temporaries_sweep
from exports.services.requests import SPLITS, export_cancel, export_request, export_retry

__all__ = [
    "CHUNKS_AT_LEAST",
    "SMALLEST_CHUNK",
    "SPLITS",
    "chunk_size",
    "export_build",
    "export_cancel",
    "export_chunk_build",
    "export_join",
    "export_plan",
    "export_request",
    "export_retry",
    "exports_sweep",
    "temporaries_sweep",
]
