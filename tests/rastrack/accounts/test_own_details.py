"""A person sets their own grade and training programme (the ARCP identifiers on the
portfolio export): the service, PATCH /api/v1/me/ and the "Your details" page."""

import pytest

from rastrack.accounts import services
from rastrack.accounts.models import User
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _details(user):
    user = User.objects.get(pk=user.pk)
    return user.grade, user.training_programme


def test_the_service_writes_the_details_and_audits_them(trainee):
    services.user_update_own_details(user=trainee, grade=" ST5 ", training_programme="Urology, London")
    assert _details(trainee) == ("ST5", "Urology, London")
    entry = AuditEntry.objects.get(action="user.details_update", object_id=str(trainee.pk))
    assert entry.actor_id == trainee.pk
    assert entry.before == {"grade": "", "training_programme": ""}
    assert entry.after == {"grade": "ST5", "training_programme": "Urology, London"}


def test_an_unchanged_detail_writes_no_audit_entry(trainee):
    services.user_update_own_details(user=trainee, grade="ST5")
    services.user_update_own_details(user=trainee, grade="ST5")
    assert AuditEntry.objects.filter(action="user.details_update").count() == 1


def test_a_detail_can_be_cleared(trainee):
    services.user_update_own_details(user=trainee, grade="ST5")
    services.user_update_own_details(user=trainee, grade="")
    assert _details(trainee) == ("", "")


@pytest.mark.parametrize(("details", "field"), [
    ({"grade": "S" * 41, "training_programme": "Urology"}, "grade"),
    ({"grade": "ST5", "training_programme": "U" * 151}, "training_programme"),
    ({"grade": "ST\x075", "training_programme": "Urology"}, "grade"),
    ({"grade": "ST5", "training_programme": "Urology\nLondon"}, "training_programme"),
])
def test_bad_input_is_refused_per_field_and_changes_nothing(trainee, details, field):
    with pytest.raises(ApplicationError) as refused:
        services.user_update_own_details(user=trainee, **details)
    assert list(refused.value.errors) == [field]
    assert _details(trainee) == ("", "")
    assert not AuditEntry.objects.filter(action="user.details_update").exists()


def test_only_the_own_details_can_be_set_through_the_service(trainee):
    with pytest.raises(ValueError, match="email"):
        services.user_update_own_details(user=trainee, email="x@example.org")


def test_patch_me_sets_the_callers_details_and_answers_like_get(api, trainee, other_trainee):
    client = api.as_user(trainee)
    response = client.patch("/api/v1/me/", {"grade": "ST6", "training_programme": "General surgery, London"},
                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == client.get("/api/v1/me/").json()
    assert (response.json()["grade"], response.json()["training_programme"]) == ("ST6", "General surgery, London")
    assert _details(other_trainee) == ("", "")


def test_patch_me_ignores_every_other_field(api, trainee):
    before = api.as_user(trainee).get("/api/v1/me/").json()
    response = api.as_user(trainee).patch("/api/v1/me/", {
        "grade": "ST4", "email": "new@example.org", "full_name": "Someone Else", "is_active": False,
        "roles": ["programme_admin"], "region": None, "registration_number": "1111111"}, format="json")
    assert response.status_code == 200
    assert {**before, "grade": "ST4"} == response.json()


def test_patch_me_refuses_bad_input_per_field(api, trainee):
    response = api.as_user(trainee).patch("/api/v1/me/", {"grade": "S" * 41, "training_programme": "a\x1bb"},
                                          format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"grade", "training_programme"}
    assert _details(trainee) == ("", "")


def test_patch_me_needs_a_signed_in_caller(api):
    assert api.patch("/api/v1/me/", {"grade": "ST5"}, format="json").status_code == 401


def test_the_details_page_shows_and_saves_the_details(client, trainee):
    client.force_login(trainee)
    services.user_update_own_details(user=trainee, grade="ST3")
    page = client.get("/accounts/details/")
    assert page.status_code == 200
    assert 'value="ST3"' in page.content.decode()
    response = client.post("/accounts/details/", {"grade": "ST4", "training_programme": "Urology, London"})
    assert response.status_code == 302 and response["Location"] == "/accounts/details/"
    assert _details(trainee) == ("ST4", "Urology, London")


def test_the_details_page_shows_a_refusal_on_its_field(client, trainee):
    client.force_login(trainee)
    response = client.post("/accounts/details/", {"grade": "S" * 41, "training_programme": ""})
    assert response.status_code == 400
    assert "Keep it under 40 characters." in response.content.decode()
    assert _details(trainee) == ("", "")


def test_the_details_page_needs_a_signed_in_person(client):
    response = client.get("/accounts/details/")
    assert response.status_code == 302 and "/signin/" in response["Location"]
