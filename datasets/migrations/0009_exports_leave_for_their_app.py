"""Exports moved to their own app: the tables stay, only Django's record of them moves.

The tables are not touched here; ``exports.0001_initial`` takes them over and renames them.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('datasets', '0008_export_chunks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ExportChunk'),
                migrations.DeleteModel(name='Export'),
            ],
            database_operations=[],
        ),
    ]
