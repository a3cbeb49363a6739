"""Signing out leaves nothing of the user's work in the browser."""

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db


def test_sign_out_tells_the_browser_to_clear_the_sites_storage(client_for):
    client = client_for(Role.ANNOTATOR)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    assert "_auth_user_id" not in client.session
