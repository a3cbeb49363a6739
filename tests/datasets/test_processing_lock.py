"""Two processes given one item (the worker and an in-process call, a message delivered
twice) never make its files at once: the second waits for the first and finds it done."""

import threading

import pytest
from django.db import connection, transaction

from datasets import services
from datasets.models import Item
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_item_another_process_is_making_the_files_of_is_left_to_it(media_root):
    dataset = DatasetFactory()
    item, _created = services.item_register(
        dataset=dataset, file=image_bytes(5, size=(800, 600)), name="a.jpg", categories=[]
    )
    held = threading.Event()

    def other_processor():  # holds the row as item_process does, and finishes the item
        try:
            with transaction.atomic():
                Item.objects.select_for_update().get(pk=item.pk)
                held.set()
                threading.Event().wait(0.5)
                Item.objects.filter(pk=item.pk).update(processing=Item.Processing.READY)
        finally:
            connection.close()

    thread = threading.Thread(target=other_processor)
    thread.start()
    assert held.wait(30)
    left = services.item_process(item_id=item.pk)
    thread.join()

    assert left.processing == Item.Processing.READY  # waited, and found it done
    made = [p.name for p in media_root.rglob("*") if p.is_file()]
    assert all("screen" not in name and "thumb" not in name for name in made), made
