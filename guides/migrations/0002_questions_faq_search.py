"""Questions: when an answer was last opened; the FAQ: pg_trgm and its search index.

On PostgreSQL the pg_trgm and btree_gin extensions are enabled and the FAQ gets one GIN index
on ``(guide_id, search_text gin_trgm_ops)``, which answers a guide's ``LIKE '%…%'`` search
(see guides.selectors.questions): with the guide in the same index, PostgreSQL never walks
every entry of the guide to rematch the text. SQLite has neither: these operations do nothing
there, and the model's state is the same on both.
"""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations, models

INDEX = "guides_faq_search_trgm"


def _index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON guides_faqentry "
            "USING gin (guide_id, search_text gin_trgm_ops)"
        )


def _index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_guides_versions_questions"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="answer_seen_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answer seen at"),
        ),
        TrigramExtension(),
        BtreeGinExtension(),
        migrations.RunPython(_index_create, _index_drop, elidable=False),
    ]
