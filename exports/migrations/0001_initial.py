"""Exports take over their tables from the datasets app, keeping every row and file.

``datasets.0009`` dropped the models from the datasets app's state without touching the
database; here the same models enter this app's state on the same tables (no SQL), and then
the tables are renamed to this app's names. Content types follow, so admin history and
permissions keep pointing at them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["export", "exportchunk"]


def content_types_follow(apps, schema_editor):
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="datasets", model__in=MOVED
    ).update(app_label="exports")


def content_types_return(apps, schema_editor):
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="exports", model__in=MOVED
    ).update(app_label="datasets")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('datasets', '0009_exports_leave_for_their_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Export',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('splits', models.JSONField(default=list, verbose_name='splits')),
                        ('format', models.CharField(max_length=20, verbose_name='format')),
                        ('images', models.CharField(choices=[('include', 'Included in the zip'), ('reference', 'By reference (content hash and download path)')], default='reference', max_length=10, verbose_name='images')),
                        ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='running', max_length=8, verbose_name='status')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='items to export')),
                        ('done', models.PositiveIntegerField(default=0, verbose_name='items done')),
                        ('chunks_total', models.PositiveIntegerField(default=0, verbose_name='chunks')),
                        ('chunks_done', models.PositiveIntegerField(default=0, verbose_name='chunks done')),
                        ('file', models.FileField(blank=True, max_length=300, upload_to='', verbose_name='file')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('size', models.PositiveBigIntegerField(default=0, verbose_name='size in bytes')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('dataset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exports', to='datasets.dataset', verbose_name='dataset')),
                        ('stage', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='exports', to='datasets.stage', verbose_name='stage')),
                    ],
                    options={
                        'verbose_name': 'export',
                        'verbose_name_plural': 'exports',
                        'db_table': 'datasets_export',
                        'ordering': ['dataset', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ExportChunk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('index', models.PositiveIntegerField(verbose_name='index')),
                        ('first_item', models.PositiveBigIntegerField(verbose_name='first item id')),
                        ('last_item', models.PositiveBigIntegerField(verbose_name='last item id')),
                        ('status', models.CharField(choices=[('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='running', max_length=8, verbose_name='status')),
                        ('done', models.PositiveIntegerField(default=0, verbose_name='items done')),
                        ('file', models.CharField(blank=True, max_length=300, verbose_name='part file')),
                        ('counts', models.JSONField(default=dict, verbose_name='counts')),
                        ('export', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='exports.export', verbose_name='export')),
                    ],
                    options={
                        'verbose_name': 'export chunk',
                        'verbose_name_plural': 'export chunks',
                        'db_table': 'datasets_exportchunk',
                        'ordering': ['export', 'index'],
                        'constraints': [models.UniqueConstraint(fields=('export', 'index'), name='export_chunk_unique')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='export', table=None),
        migrations.AlterModelTable(name='exportchunk', table=None),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
