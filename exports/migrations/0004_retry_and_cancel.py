import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def crops_are_included(apps, schema_editor):
    """A crop stage's export always held its crops: record it as ``include``, as the page
    already said, so the API answer agrees."""
    Export = apps.get_model("exports", "Export")
    Export.objects.filter(stage__input_kind="crop").update(images="include")


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0003_job_heartbeats'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='export',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AddField(
            model_name='export',
            name='retry_of',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='retried_as', to='exports.export', verbose_name='retry of'),
        ),
        migrations.RunPython(crops_are_included, migrations.RunPython.noop),
    ]
