"""Every existing ground truth row is version 1 of its item and the item's current version.

Its spec version is the one the dataset's history shows at the time it was recorded. Going
back keeps each item's current version only (older ones cannot fit the one-to-one table of
``0009``). Apart from ``0010``, so no table is altered in the transaction that updates rows.
"""

from django.db import migrations

VERSIONS, ITEMS, SPEC = "datasets_groundtruthversion", "datasets_item", "datasets_specchange"


def versions_begin(apps, schema_editor):
    """Each old row is version 1 (the field's default did that) and its item's current one."""
    quote = schema_editor.quote_name
    versions, items, spec = quote(VERSIONS), quote(ITEMS), quote(SPEC)
    with schema_editor.connection.cursor() as cursor:
        # Plain SQL both PostgreSQL and SQLite run: one statement each, however many rows.
        cursor.execute(
            f"UPDATE {items} SET ground_truth_id = "
            f"(SELECT v.id FROM {versions} v WHERE v.item_id = {items}.id) "
            f"WHERE EXISTS (SELECT 1 FROM {versions} v WHERE v.item_id = {items}.id)"
        )
        # Version 1 of a spec has no history row; every later version has one.
        cursor.execute(
            f"UPDATE {versions} SET spec_version = COALESCE(("
            f"SELECT MAX(s.version) FROM {spec} s JOIN {items} i ON s.dataset_id = i.dataset_id "
            f"WHERE i.id = {versions}.item_id AND s.changed_at <= {versions}.accepted_at), 1)"
        )


def versions_end(apps, schema_editor):
    """Back to one row per item: keep each item's current version, drop the older ones."""
    Version = apps.get_model("datasets", "GroundTruthVersion")
    Item = apps.get_model("datasets", "Item")
    current = Item.objects.filter(ground_truth__isnull=False).values("ground_truth_id")
    Version.objects.exclude(pk__in=current).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("datasets", "0011_ground_truth_versions"),
    ]

    operations = [
        migrations.RunPython(versions_begin, versions_end, elidable=False),
    ]
