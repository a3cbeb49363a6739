"""JSON bodies at their edges: each refused with a 400 in the one shape, nothing saved."""

import pytest

from accounts.models import Role
from datasets.models import Dataset

pytestmark = pytest.mark.django_db

URL = "/api/v1/datasets/"


def _post(client, body: str):
    return client.generic("POST", URL, data=body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64"),
        ('{"a": ' * 65 + "1" + "}" * 65, "nested deeper than 64"),
        ('{"name": "A", "name": "B"}', "“name” is given twice"),
        ('{"name": "A", "requirement": NaN}', "NaN"),
        ('{"name": "A", "requirement": Infinity}', "Infinity"),
        ('{"name": "A", "requirement": 1e999}', "too large"),
        ('{"name": "A", "requirement": ' + "9" * 400 + "}", "more than 19 digits"),
        ('{"name": "A",', "not JSON"),
    ],
    ids=["100k-deep", "65-deep", "repeated-key", "nan", "infinity", "1e999", "400-digits", "cut"],
)
def test_a_json_body_at_its_edges_is_a_400_naming_the_problem(client_for, body, names):
    client = client_for(Role.PLANNER)

    response = _post(client, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert names in error["message"]
    assert not Dataset.objects.exists()


def test_a_body_within_the_limits_is_parsed_as_before(client_for):
    client = client_for(Role.PLANNER)

    response = _post(client, '{"name": "Formulas", "requirement": "Read a formula."}')

    assert response.status_code == 201, response.json()
    assert Dataset.objects.get().name == "Formulas"
