"""Coverage counters the services keep, so the dashboard never counts items."""

from django.db import models

from datasets.models.spec import Dataset


class CoverageCount(models.Model):
    """How many items share one combination of categories, split and status.

    Kept by the services that change any of those, so the coverage dashboard reads a few
    hundred rows instead of counting a million items.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    category_key = models.CharField(max_length=200, blank=True)
    split = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=12)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "category_key", "split", "status"], name="coverage_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_key}/{self.split}/{self.status}: {self.count}"


class CoverageDaily(models.Model):
    """Items collected per day per combination of categories: the rate each category fills."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    category_key = models.CharField(max_length=200, blank=True)
    day = models.DateField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "category_key", "day"], name="coverage_daily_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_key} {self.day}: {self.count}"


class CoverageDelta(models.Model):
    """A change of one counter not applied yet: labeling's claims, saves and submits insert
    these (no row of theirs is shared, so none waits on another), and a periodic job folds
    them into ``CoverageCount`` within a few seconds."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    category_key = models.CharField(max_length=200, blank=True)
    split = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=12)
    count = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["dataset", "created_at"], name="coverage_delta_age")]

    def __str__(self) -> str:
        return f"{self.category_key}/{self.split}/{self.status}: {self.count:+d}"
