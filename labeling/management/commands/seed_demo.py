"""``manage.py seed_demo``: demo users for every role and the demo dataset. Idempotent."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role
from datasets import services as dataset_services
from datasets.models import Dataset

DEMO_PASSWORD = "groundwork-demo"
DEMO_USERS = [
    ("admin", "", True),
    ("planner", Role.PLANNER, False),
    ("reviewer", Role.REVIEWER, False),
    ("trainer", Role.TRAINER, False),
    ("annotator", Role.ANNOTATOR, False),
    ("vendor", Role.VENDOR_MANAGER, False),
]
DEMO_DATASET = "Math formula photos"
DEMO_REQUIREMENT = (
    "Students photograph a math formula on paper with their phone; the service returns its "
    "LaTeX within a second. Photos come with shadows, highlighter, crumpled or rotated pages, "
    "formulas cut at the edge and whiteout corrections, printed or handwritten."
)


class Command(BaseCommand):
    help = "Create the demo users (one per role) and the demo dataset; safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        for username, role, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.role = role
                user.is_staff = staff
                user.is_superuser = staff
                user.first_name = username.capitalize()
                user.set_password(DEMO_PASSWORD)
                user.save()
        planner = User.objects.get(username="planner")
        if not Dataset.objects.filter(name=DEMO_DATASET).exists():
            dataset_services.dataset_create(
                name=DEMO_DATASET, requirement=DEMO_REQUIREMENT, by=planner
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, _staff in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role or 'staff admin'}")
