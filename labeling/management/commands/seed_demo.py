"""``manage.py seed_demo``: demo users for every role and the demo dataset. Idempotent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role
from datasets.services import (
    DEMO_PHOTOS,
    coverage_deltas_apply,
    demo_dataset_ensure,
    demo_photos_ensure,
    demo_pipeline_ensure,
    demo_splits_ensure,
)
from guides.services import demo_guide_ensure, demo_questions_ensure, demo_readers_ensure
from labeling.services import demo_vendor_people, demo_vendors_ensure

DEMO_PASSWORD = "groundwork-demo"
DEMO_USERS = [
    ("admin", "", True),
    ("planner", Role.PLANNER, False),
    ("reviewer", Role.REVIEWER, False),
    ("trainer", Role.TRAINER, False),
    ("annotator", Role.ANNOTATOR, False),
    ("vendor", Role.VENDOR_MANAGER, False),
]


def _demo_people() -> list[tuple[str, str, bool, str]]:
    """(username, role, staff, first name) of every demo user: one per role, and the demo
    vendors' managers and annotators (``vendor`` and ``annotator`` among them)."""
    people = [
        (username, role, staff, username.capitalize()) for username, role, staff in DEMO_USERS
    ]
    known = {username for username, _role, _staff in DEMO_USERS}
    people += [
        (username, role, False, first_name)
        for username, first_name, role in demo_vendor_people()
        if username not in known
    ]
    return people


class Command(BaseCommand):
    help = "Create demo users (one per role) and the demo dataset with photos; safe to rerun."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--photos",
            type=int,
            default=DEMO_PHOTOS,
            help="how many generated photos the demo dataset gets",
        )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self._users()
        planner = get_user_model().objects.get(username="planner")
        dataset = demo_dataset_ensure(planner=planner)
        demo_pipeline_ensure(dataset=dataset, planner=planner)
        added = demo_photos_ensure(dataset=dataset, count=options["photos"])
        demo_splits_ensure(dataset=dataset, planner=planner)
        vendors = demo_vendors_ensure(dataset=dataset, planner=planner)
        guide_version = self._guide(dataset, planner)
        coverage_deltas_apply(dataset_id=dataset.pk)  # the demo's submits
        self.stdout.write(
            f"Demo dataset “{dataset.name}”: {dataset.items.count()} photos ({added} new)."
        )
        self.stdout.write(f"Vendors: {', '.join(vendor.name for vendor in vendors)}.")
        self.stdout.write(
            f"Guide “{guide_version.guide.title}”: v{guide_version.number}, "
            f"{guide_version.guide.examples.count()} examples."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _staff, _first_name in _demo_people():
            self.stdout.write(f"  {username:<10} {role or 'staff admin'}")

    def _guide(self, dataset, planner):
        """The demo dataset's work guide, v1 published with its examples, the annotators'
        questions about it and a FAQ entry, read by one demo annotator; its latest version."""
        version = demo_guide_ensure(dataset=dataset, planner=planner)
        demo_questions_ensure(guide=version.guide, planner=planner)
        demo_readers_ensure(version=version)
        return version

    def _users(self) -> None:
        User = get_user_model()
        hashed = None  # one hash for every demo login: they share the password shown
        for username, role, staff, first_name in _demo_people():
            user, created = User.objects.get_or_create(username=username)
            if created:
                hashed = hashed or make_password(DEMO_PASSWORD)
                user.role = role
                user.is_staff = staff
                user.is_superuser = staff
                user.first_name = first_name
                user.password = hashed
                user.save()
