"""A pilot batch: tasks with active times (and, for accepted ones, the ground truth their
review recorded), straight from the models, for the contract page's planning aids."""

import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from datasets import services as dataset_services
from datasets.models import GroundTruthVersion
from labeling.models import Batch, Task
from vendors.models import Contract


def tiny_png(index: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (index % 256, index // 256 % 256, 77)).save(buffer, format="PNG")
    return buffer.getvalue()


def pilot_batch(
    contract: Contract,
    *,
    seconds: list[int],
    statuses: list[str] | None = None,
    regions: list[int] | None = None,
    start: int = 0,
) -> Batch:
    """A batch of ``contract`` (a labeling one) with one task per entry of ``seconds``, in
    ``statuses`` (accepted by default); ``regions[i]`` formula boxes recorded as the ground
    truth of accepted task i."""
    from labeling.models import TaskKind

    kind = TaskKind.objects.get(pk=contract.task_kind_id)
    batch = Batch.objects.create(
        dataset=contract.dataset,
        task_kind=kind,
        vendor=contract.vendor,
        contract=contract,
        name="Pilot",
        seed="pilot",
        size=len(seconds),
        due_on=timezone.localdate() + timedelta(days=7),
    )
    statuses = statuses or [Task.Status.ACCEPTED] * len(seconds)
    for index, (active, status) in enumerate(zip(seconds, statuses, strict=True)):
        item, _ = dataset_services.item_register(
            dataset=contract.dataset, file=tiny_png(start + index), categories=[]
        )
        task = Task.objects.create(
            batch=batch, task_kind=kind, item=item, status=status, active_seconds=active
        )
        if regions is not None and status == Task.Status.ACCEPTED:
            boxes = [
                {"id": f"r{n}", "type": "formula", "bbox": [0, 0, 1, 1], "attributes": {}}
                for n in range(regions[index])
            ]
            GroundTruthVersion.objects.create(
                item=item,
                number=1,
                annotation={"regions": boxes, "categories": {}},
                source=GroundTruthVersion.Source.REVIEW,
                task_id=task.pk,
                spec_version=1,
            )
    return batch
