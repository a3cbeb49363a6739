from django.contrib import admin

from datasets.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "spec_version", "created_by", "created_at"]
    search_fields = ["name"]
