"""FHIR R4 Practitioner: registration number, qualifications for the accreditation and each
certificate (status, period, issuer), validated with fhir.resources; scoped like the logbook."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.practitioner import Practitioner

from accreditation.certificates import fhir, services
from tests.builders.certificates import certificate_fixture  # noqa: F401 - fixtures
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)

pytestmark = pytest.mark.django_db


def url(user) -> str:
    return f"/api/v1/fhir/Practitioner/{user.pk}/"


def valid(body: dict) -> Practitioner:
    return Practitioner.model_validate(body)  # raises on anything that is not FHIR


def test_a_trainee_with_a_certificate_is_a_valid_practitioner(api, trainee, certificate):
    trainee.registration_body, trainee.registration_number = "gmc", "7654321"
    trainee.save(update_fields=["registration_body", "registration_number"])
    response = api.as_user(trainee).get(url(trainee))
    assert response.status_code == 200
    resource = valid(response.json())
    assert resource.id == str(trainee.pk)
    assert resource.identifier[0].system == "https://fhir.hl7.org.uk/Id/gmc-number"
    assert resource.identifier[0].value == "7654321"
    (qualification,) = resource.qualification
    assert qualification.code.text == f"{certificate.pathway.title}, version {certificate.pathway.version}"
    assert qualification.period.start.isoformat() == certificate.issued_on.isoformat()
    assert qualification.issuer.display == "RASTrack"
    assert qualification.extension[0].valueCode == "valid"
    assert qualification.identifier[0].value == certificate.verification_code


def test_a_revoked_certificate_has_its_status_and_end(api, trainee, admin, certificate):
    services.certificate_revoke(certificate=certificate, actor=admin, reason="Issued in error.")
    body = api.as_user(admin).get(url(trainee)).json()
    (qualification,) = valid(body).qualification
    assert qualification.extension[0].valueCode == "revoked" and qualification.period.end is not None


def test_a_trainers_accreditation_is_a_qualification(api, assigned_trainer):
    body = api.as_user(assigned_trainer).get(url(assigned_trainer)).json()
    (qualification,) = valid(body).qualification
    accreditation = assigned_trainer.accreditation
    assert qualification.code.coding[0].code == "ras-trainer"
    assert qualification.extension[0].valueCode == "accredited"
    assert qualification.period.start.isoformat() == accreditation.accredited_on.isoformat()
    assert qualification.period.end.isoformat() == accreditation.expires_on.isoformat()


def test_fhir_json_is_served_when_asked_for(api, trainee):
    response = api.as_user(trainee).get(url(trainee), HTTP_ACCEPT="application/fhir+json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    resource = valid(json.loads(response.content))
    assert resource.qualification is None  # nothing held yet: no empty list either


def test_only_those_who_may_see_the_records_get_it(api, trainee, other_trainee, assigned_trainer,
                                                   unassigned_trainer, lead, other_lead, admin, lab_manager):
    for person, code in ((trainee, 200), (assigned_trainer, 200), (lead, 200), (admin, 200),
                         (other_trainee, 404), (unassigned_trainer, 404), (other_lead, 404), (lab_manager, 404)):
        assert api.as_user(person).get(url(trainee)).status_code == code, person.full_name
    assert api.as_user(trainee).get("/api/v1/fhir/Practitioner/999999/").status_code == 404


def test_privileges_can_register_their_qualifications(api, trainee):
    def privileges(person):
        return [{"code": {"text": "Robotic prostatectomy, full privileges"}, "issuer": {"display": "Trust"},
                 "extension": fhir.status_extension("full")}]

    fhir.register_qualification_source(privileges)
    try:
        body = api.as_user(trainee).get(url(trainee)).json()
    finally:
        fhir._sources.remove(privileges)
    assert valid(body).qualification[0].code.text == "Robotic prostatectomy, full privileges"
