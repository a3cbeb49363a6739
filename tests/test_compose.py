"""docker-compose.yml describes production with the variables the settings read."""

import re

import yaml

from tests.conftest import ROOT

IMAGE_VARIABLES = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
}


def _settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', source))


def test_compose_parses_and_has_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert {"web", "worker", "beat", "postgres", "redis", "minio"} <= set(compose["services"])


def test_every_compose_variable_is_read_by_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    used = set()
    for service in compose["services"].values():
        used |= set((service.get("environment") or {}).keys())

    unknown = used - IMAGE_VARIABLES - _settings_variables()

    assert used, "no variables found"
    assert unknown == set()


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(re.findall(r"^# ([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert _settings_variables() - documented == set()
