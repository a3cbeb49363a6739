"""``manage.py strip_metadata``: strip the metadata from the files of items already stored.

Items processed since the worker strips files need nothing; run this once after upgrading
so that items stored before are served to roles other than planners again. Safe to run
again: it only touches items not yet stripped.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from datasets import services
from datasets.models import Dataset, MetadataStrip


class Command(BaseCommand):
    help = (
        "Strip EXIF, XMP, GPS and PNG text from the files of stored items (originals kept), "
        "by a worker unless --here."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dataset", type=int, help="only this dataset's items")
        parser.add_argument("--wait", action="store_true", help="report progress until done")
        parser.add_argument("--here", action="store_true", help="run in this process")

    def handle(self, *args, **options) -> None:
        dataset = None
        if options["dataset"] is not None:
            dataset = Dataset.objects.filter(pk=options["dataset"]).first()
            if dataset is None:
                raise CommandError(f"No dataset {options['dataset']}.")
        strip = services.metadata_strip_request(dataset=dataset, by=None)
        self.stdout.write(f"Metadata strip {strip.pk}: {strip.total} items to check.")
        if options["here"]:
            strip = services.metadata_strip_run(strip_id=strip.pk)
        elif options["wait"]:
            strip = self._wait(strip)
        else:
            self.stdout.write("Queued for a worker; its row shows the progress.")
            return
        self.stdout.write(
            f"Metadata strip {strip.pk} {strip.status}: {strip.done} of {strip.total} items "
            f"checked, {strip.changed} had metadata removed."
        )
        if strip.status == MetadataStrip.Status.FAILED:
            raise CommandError(strip.error)

    def _wait(self, strip: MetadataStrip) -> MetadataStrip:
        shown = None
        while strip.status == MetadataStrip.Status.RUNNING:
            if strip.done != shown:
                self.stdout.write(f"  {strip.done} of {strip.total} items checked")
                shown = strip.done
            time.sleep(1)
            strip.refresh_from_db()
        return strip
