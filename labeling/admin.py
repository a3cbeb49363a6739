"""Labeling in the admin: to look at, never to write (a batch moves through its states and
the ledger only through the services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from labeling.models import Batch, Task, TaskKind


@admin.register(TaskKind)
class TaskKindAdmin(ReadOnlyAdmin):
    list_display = ["name", "dataset", "slug", "created_at"]
    search_fields = ["name"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "dataset", "task_kind", "vendor", "status", "size", "due_on"]
    list_filter = ["status", "vendor"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "item", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["batch", "item"]
