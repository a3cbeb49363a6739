"""Each chunk names the ground-truth versions it reads, pinned by the export's plan.

A chunk of an export still running when this runs (planned before as an item-id range) is
pinned here to the current versions of its range, in the export's splits, so its queued task
still builds it after the upgrade. Finished and failed exports keep their stored zips and
need no list.
"""

from django.db import migrations, models


def running_chunks_pin(apps, schema_editor):
    ExportChunk = apps.get_model("exports", "ExportChunk")
    Item = apps.get_model("datasets", "Item")
    chunks = ExportChunk.objects.filter(export__status="running").select_related("export")
    for chunk in chunks.iterator():
        export = chunk.export
        chunk.versions = list(
            Item.objects.filter(
                dataset_id=export.dataset_id,
                split__in=export.splits,
                ground_truth__isnull=False,
                pk__gte=chunk.first_item,
                pk__lte=chunk.last_item,
            )
            .order_by("pk")
            .values_list("ground_truth_id", flat=True)
        )
        chunk.save(update_fields=["versions"])


class Migration(migrations.Migration):

    dependencies = [
        ("exports", "0001_initial"),
        ("datasets", "0012_ground_truth_versions_begin"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportchunk",
            name="versions",
            field=models.JSONField(default=list, verbose_name="ground truth versions"),
        ),
        migrations.RunPython(running_chunks_pin, migrations.RunPython.noop, elidable=False),
    ]
