"""An item's files answer a session or an API token, behind the datasets' policy."""

import hashlib

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Role
from datasets import selectors, services
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db

KINDS = ("original", "image", "rendition", "thumbnail")


@pytest.fixture
def item(dataset):
    content = image_bytes(4, size=(2600, 1200), orientation=6)
    item, _created = services.item_register(dataset=dataset, file=content, name="phone.jpg")
    return services.item_process(item_id=item.id)


def _token(make_user, role=Role.TRAINER):
    return account_services.token_create(user=make_user(role), name="training job")


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _url(item, kind: str) -> str:
    return f"/datasets/{item.dataset_id}/items/{item.id}/file/{kind}/"


def _stored(item, kind: str) -> bytes:
    with getattr(item, kind).open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("kind", KINDS)
def test_a_trainer_token_alone_fetches_each_file_of_an_item(make_user, item, kind):
    client = _token_client(_token(make_user).key)

    response = client.get(_url(item, kind))

    served = "image" if kind == "original" else kind  # the original is the planners' alone
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _stored(item, served)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"] == f'inline; filename="item-{item.id}-{served}.jpg"'


def test_the_item_apis_image_urls_work_with_the_same_token(make_user, item):
    client = _token_client(_token(make_user).key)
    row = client.get(f"/api/v1/datasets/{item.dataset_id}/items/").json()["results"][0]
    detail = client.get(f"/api/v1/datasets/{item.dataset_id}/items/{item.id}/").json()

    fetched = {
        field: client.get(url)
        for field, url in [*((f, row[f]) for f in KINDS[1:]), ("original", detail["original"])]
    }

    assert {field: answer.status_code for field, answer in fetched.items()} == dict.fromkeys(
        KINDS, 200
    )
    # A trainer asking for the original gets the upright image without its metadata.
    original = b"".join(fetched["original"].streaming_content)
    assert original == _stored(item, "image")
    assert hashlib.sha256(original).hexdigest() != item.sha256


def test_a_revoked_token_is_refused_with_401_in_the_error_shape(make_user, item):
    issued = _token(make_user)
    account_services.token_revoke(token=issued.token)

    response = _token_client(issued.key).get(_url(item, "image"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_a_forged_token_is_refused_with_401(make_user, item):
    key = _token(make_user).key

    response = _token_client(key[:-4] + "AAAA").get(_url(item, "original"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.ANNOTATOR])
@pytest.mark.parametrize("kind", ["original", "thumbnail"])
def test_a_vendor_roles_token_gets_404(make_user, item, role, kind):
    client = _token_client(_token(make_user, role).key)

    response = client.get(_url(item, kind))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_item_of_another_dataset_is_404_under_this_one(make_user, item):
    client = _token_client(_token(make_user).key)
    other = DatasetFactory()

    response = client.get(f"/datasets/{other.id}/items/{item.id}/file/image/")

    assert response.status_code == 404


def test_an_unknown_kind_is_404_naming_the_kinds(make_user, item):
    client = _token_client(_token(make_user).key)

    response = client.get(_url(item, "exif"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_file_kind"


def test_a_session_still_fetches_and_revalidates(planner_client, item):
    first = planner_client.get(_url(item, "thumbnail"))
    again = planner_client.get(_url(item, "thumbnail"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304


def test_the_originals_etag_is_its_sha256(planner_client, item):
    response = planner_client.get(_url(item, "original"))

    assert response["ETag"] == f'"{item.sha256}"'


def test_a_range_of_the_original_is_206_with_its_bytes(planner_client, item):
    original = _stored(item, "original")

    response = planner_client.get(_url(item, "original"), HTTP_RANGE="bytes=100-1099")
    past = planner_client.get(_url(item, "original"), HTTP_RANGE=f"bytes={len(original)}-")

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == original[100:1100]
    assert response["Content-Range"] == f"bytes 100-1099/{len(original)}"
    assert past.status_code == 416


def test_head_gives_the_size_and_etag_without_the_body(planner_client, item):
    response = planner_client.head(_url(item, "original"))

    assert response.status_code == 200
    assert response["Content-Length"] == str(item.original.size)
    assert response["ETag"] == f'"{item.sha256}"'
    assert b"".join(response.streaming_content) == b""


def test_an_image_request_asking_only_for_its_type_is_not_refused(planner_client, item):
    response = planner_client.get(_url(item, "rendition"), HTTP_ACCEPT="image/jpeg")

    assert response.status_code == 200


def test_a_signed_out_page_visit_goes_to_sign_in_and_a_script_gets_401(db, item):
    visit = APIClient().get(_url(item, "original"), HTTP_ACCEPT="text/html,*/*;q=0.8")
    script = APIClient().get(_url(item, "original"))

    assert visit.status_code == 302 and "/accounts/login/" in visit["Location"]
    assert script.status_code == 401
    assert script.json()["error"]["code"] == "not_authenticated"


def test_before_processing_each_variant_names_the_next_larger_file(dataset, make_user):
    item, _created = services.item_register(dataset=dataset, file=image_bytes(7), name="a.jpg")
    user = make_user(Role.PLANNER)  # other roles see nothing of an item not yet processed

    names = {kind: selectors.item_file_name(item=item, kind=kind, user=user) for kind in KINDS}

    assert names == {
        "original": ("original", item.original.name),
        "image": ("image", item.image.name),
        "rendition": ("image", item.image.name),
        "thumbnail": ("image", item.image.name),
    }
