"""Ground truth keeps its versions: each recording adds one, the item points at its current one.

The one-row-per-item table becomes the versions table (renamed, its one-to-one loosened to a
foreign key numbered per item), so every existing row stays as it is and becomes version 1
of its item, with its annotation, source, source reference and time. ``0011`` fills in the
rest (the item's pointer, the spec version) in a transaction of its own.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):

    dependencies = [
        ("datasets", "0010_item_metadata_strip"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="GroundTruth", new_name="GroundTruthVersion"),
        migrations.AlterModelOptions(
            name="groundtruthversion",
            options={
                "ordering": ["item", "number"],
                "verbose_name": "ground truth version",
                "verbose_name_plural": "ground truth versions",
            },
        ),
        migrations.AlterField(
            model_name="groundtruthversion",
            name="item",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="truth_versions",
                to="datasets.item",
                verbose_name="item",
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="number",
            field=models.PositiveIntegerField(default=1, verbose_name="version"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="groundtruthversion",
            name="source_ref",
            field=models.CharField(
                blank=True,
                help_text="What an import or a generator run calls this item, e.g. its seed.",
                max_length=200,
                verbose_name="source reference",
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="task_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="task id"),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="annotation_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="annotation id"
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="annotation_version",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="annotation version"
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="guide_version_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="guide version ids"),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="spec_version",
            field=models.PositiveIntegerField(default=1, verbose_name="spec version"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="types",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Empty for a whole annotation; else the types merged into the version.",
                verbose_name="region types recorded",
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="base_version",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The version the recorded work started from, when it was given.",
                null=True,
                verbose_name="base version",
            ),
        ),
        migrations.AddField(
            model_name="groundtruthversion",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="accepted by",
            ),
        ),
        migrations.AlterField(
            model_name="groundtruthversion",
            name="accepted_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="accepted at"
            ),
        ),
        migrations.AddField(
            model_name="item",
            name="ground_truth",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="datasets.groundtruthversion",
                verbose_name="current ground truth",
            ),
        ),
        migrations.AddConstraint(
            model_name="groundtruthversion",
            constraint=models.UniqueConstraint(
                fields=("item", "number"), name="ground_truth_version_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="groundtruthversion",
            constraint=models.CheckConstraint(
                condition=models.Q(number__gte=1), name="ground_truth_version_from_one"
            ),
        ),
    ]
