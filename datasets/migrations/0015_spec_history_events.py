"""The spec history stores what happened, not a sentence: each row's ``change`` holds the event
(``kind``) and its parameters with the names people read, and the line is told in the reader's
language when shown. The sentences stored so far go; what they said is carried over first:

- a row whose ``change`` names a known event gets the names its line needs (an axis's,
  a category's, a region type's, a stage's) from the snapshot of its version, or of the
  version before for what it deleted;
- a row with no known event (written before events were recorded) keeps its sentence as the
  ``legacy`` event's text, shown as it was written.

Going back writes the sentence again (the legacy text, or the event's code).
"""

from django.db import migrations, models

EVENTS = {
    "axis_created",
    "axis_changed",
    "axis_deleted",
    "category_created",
    "category_changed",
    "category_deleted",
    "cell_quota_set",
    "cell_quota_deleted",
    "region_type_created",
    "region_type_changed",
    "region_type_deleted",
    "attribute_created",
    "attribute_changed",
    "attribute_deleted",
    "stage_created",
    "stage_changed",
    "stage_deleted",
    "stage_moved",
}


def _names(snapshot: dict) -> dict:
    """(kind, key) → the name people read, as the snapshot of one version has it."""
    names = {}
    for axis in snapshot.get("axes", []):
        names[("axis", axis["slug"])] = axis.get("name")
        for category in axis.get("categories", []):
            names[("category", f"{axis['slug']}={category['slug']}")] = category.get("name")
    for region_type in snapshot.get("schema", []):
        names[("region_type", region_type["slug"])] = region_type.get("name")
    for stage in snapshot.get("stages", []):
        names[("stage", stage["slug"])] = stage.get("name")
    return names


def _with_names(change: dict, now: dict, before: dict) -> dict:
    """The change with the names its line shows; a name it already holds is kept."""
    event, change = change["kind"], dict(change)
    known = {**before, **now} if not event.endswith("_deleted") else {**now, **before}
    renamed = (change.get("before") or {}).get("name")

    def fill(param: str, key: tuple) -> None:
        if not change.get(param) and known.get(key):
            change[param] = renamed if renamed and param == "name" else known[key]

    if event.startswith("axis_"):
        fill("name", ("axis", change.get("axis")))
    elif event.startswith("category_"):
        fill("name", ("category", f"{change.get('axis')}={change.get('category')}"))
        fill("axis_name", ("axis", change.get("axis")))
    elif event.startswith("cell_quota_"):
        fill("first_name", ("category", change.get("first")))
        fill("second_name", ("category", change.get("second")))
    elif event.startswith("region_type_"):
        fill("name", ("region_type", change.get("region_type")))
    elif event.startswith("attribute_"):
        fill("type_name", ("region_type", change.get("region_type")))
    elif event in {"stage_changed", "stage_moved"}:
        fill("name", ("stage", change.get("stage")))
    return change


def forward(apps, schema_editor):
    SpecChange = apps.get_model("datasets", "SpecChange")
    rows = SpecChange.objects.order_by("dataset_id", "version").iterator()
    dataset_id, previous = None, {}
    for row in rows:
        if row.dataset_id != dataset_id:
            dataset_id, previous = row.dataset_id, {}
        change = row.change if isinstance(row.change, dict) else {}
        if change.get("kind") in EVENTS:
            now = _names(row.snapshot if isinstance(row.snapshot, dict) else {})
            row.change = _with_names(change, now, previous)
        else:
            legacy = {"kind": "legacy", "text": row.summary}
            row.change = {**legacy, "was": change} if change else legacy
        row.save(update_fields=["change"])
        previous = _names(row.snapshot) if isinstance(row.snapshot, dict) else previous


def backward(apps, schema_editor):
    SpecChange = apps.get_model("datasets", "SpecChange")
    for row in SpecChange.objects.iterator():
        change = row.change if isinstance(row.change, dict) else {}
        row.summary = str(change.get("text") or change.get("kind") or "")[:300]
        if change.get("kind") == "legacy":
            row.change = change.get("was", {})
        row.save(update_fields=["summary", "change"])


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0014_item_processing_at"),
    ]

    operations = [
        # A default first, so that going back can add the column to the rows there are.
        migrations.AlterField(
            model_name="specchange",
            name="summary",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="summary"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="specchange", name="summary"),
        migrations.AlterField(
            model_name="specchange",
            name="change",
            field=models.JSONField(
                default=dict,
                help_text="The event (kind) and its parameters; shown in the reader's language.",
                verbose_name="what happened",
            ),
        ),
    ]
