import functools

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


@functools.cache
def _hashed(raw: str | None) -> str:
    """``raw`` hashed by the site's own hasher (PBKDF2 at Django's iterations: a third of a
    second here), once per text and process; ``None`` gives an unusable password."""
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PLANNER
    password = PASSWORD  # the text to sign in with; stored hashed

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["password"] = _hashed(kwargs["password"])
        return super()._create(model_class, *args, **kwargs)
