"""``manage.py make_photos``: write synthetic formula photos and their ground truth."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from synth import write_photos


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError as error:
        raise CommandError(f"--size must look like 1024x768, not {text!r}.") from error
    return width, height


class Command(BaseCommand):
    help = "Write synthetic photos of formulas (JPEG) and truth.jsonl into a folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--size", type=_size, default=(1024, 768), help="WIDTHxHEIGHT")
        parser.add_argument("--fast", action="store_true", help="cached ink and backgrounds")
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, **options) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        truth = write_photos(
            out_dir=options["out"],
            count=options["count"],
            seed=options["seed"],
            size=options["size"],
            fast=options["fast"],
            workers=options["workers"],
        )
        self.stdout.write(f"Wrote {options['count']} photos and {truth}.")
