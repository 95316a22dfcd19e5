import pytest

from rastrack.accounts.models import ApiToken
from rastrack.accounts.roles import Role
from rastrack.accounts.tokens import token_digest
from tests.builders.people import PASSWORD
from tests.support.personas import PERSONAS

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401_with_a_token_challenge(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_token_is_issued_for_the_email_and_password(api, trainee):
    response = api.post("/api/v1/auth/token/", {"username": trainee.email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(digest=token_digest(token)).user == trainee
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["email"] == trainee.email


def test_the_email_is_case_insensitive(api, trainee):
    response = api.post("/api/v1/auth/token/", {"username": trainee.email.upper(), "password": PASSWORD})
    assert response.status_code == 200


def test_a_wrong_password_gets_a_400_that_names_no_field(api, trainee):
    response = api.post("/api/v1/auth/token/", {"username": trainee.email, "password": "wrong-one!"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert "token" not in response.json()


def test_a_missing_field_gets_a_message_for_that_field(api):
    response = api.post("/api/v1/auth/token/", {"username": "someone@example.org"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_a_bad_token_gets_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/me/").status_code == 401


def test_session_auth_works_for_the_web_pages(client, trainee):
    client.force_login(trainee)
    assert client.get("/api/v1/me/").json()["id"] == trainee.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_me_describes_every_persona(api, request, persona):
    user = request.getfixturevalue(persona)
    body = api.as_user(user).get("/api/v1/me/").json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["full_name"] == user.full_name
    assert body["roles"] == user.roles
    assert body["region"] == user.region_id
    assert set(body) >= {"id", "email", "full_name", "roles", "region"}


def test_me_lists_every_role_a_person_holds(api, london):
    from tests.builders.people import UserFactory

    person = UserFactory(roles=[Role.TRAINER, Role.LAB_MANAGER], region=london)
    assert api.as_user(person).get("/api/v1/me/").json()["roles"] == ["trainer", "lab_manager"]


def test_throttling_is_configurable(api, trainee, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute", "auth": "2/minute"}}
    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [api.post("/api/v1/auth/token/", {"username": trainee.email, "password": "x"}).status_code
                 for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [400, 400, 429]
