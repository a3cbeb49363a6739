import json

from django.core.management import call_command
from PIL import Image


def test_make_photos_writes_images_and_their_truth(tmp_path):
    call_command("make_photos", count=3, seed=5, out=tmp_path, fast=True, size=(320, 240))

    lines = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert len(lines) == 3
    for line in lines:
        with Image.open(tmp_path / line["file"]) as image:
            assert image.size == (line["width"], line["height"]) == (320, 240)
        assert line["annotation"]["regions"]
        assert set(line["annotation"]["categories"]) == {"capture", "writing"}
