import pytest
from django.core.management import call_command

from accounts.models import Role, User
from datasets.models import Dataset

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_and_the_dataset_idempotently(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    roles = set(User.objects.exclude(role="").values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(is_staff=True, username="admin").exists()
    assert Dataset.objects.filter(name="Math formula photos").count() == 1
    assert User.objects.get(username="planner").check_password("groundwork-demo")
    assert "planner" in capsys.readouterr().out
