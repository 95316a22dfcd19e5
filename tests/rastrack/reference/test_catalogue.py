"""The coded catalogue: JCST specialties with general-surgery subspecialties (old codes still
readable and accepted), OPCS-4 codes, at least 40 procedures with ordered steps, and
procedures as versioned data changed by programme admins."""

from __future__ import annotations

import collections

import pytest

from accreditation.faculty.models import TrainerApplication
from rastrack.accounts.roles import Role
from rastrack.reference.catalogue import PROCEDURES
from rastrack.reference.models import Procedure, ProcedureRevision
from rastrack.reference.services import OPCS4
from rastrack.reference.specialties import (
    LEGACY,
    Specialty,
    Subspecialty,
    legacy_code,
    split_specialty,
)
from tests.builders.faculty import application_payload
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db


def test_the_catalogue_has_forty_coded_procedures_across_the_specialties():
    assert len(PROCEDURES) >= 40 and Procedure.objects.count() >= 40
    specialties = collections.Counter(p.specialty for p in Procedure.objects.all())
    assert len(specialties) >= 6 and set(specialties) <= set(Specialty.values)
    for procedure in Procedure.objects.prefetch_related("steps"):
        assert OPCS4.match(procedure.opcs4), procedure.code
        steps = [s.order for s in procedure.steps.all()]
        assert steps == list(range(1, len(steps) + 1)) and len(steps) >= 4, procedure.code
        assert not procedure.subspecialty or procedure.specialty == "general"


def test_the_old_codes_map_to_a_specialty_and_subspecialty_both_ways():
    assert len(Specialty.values) == 11 and "bariatric" in Subspecialty.values
    for old, (specialty, subspecialty) in LEGACY.items():
        assert split_specialty(old) == (specialty, subspecialty)
        assert legacy_code(specialty, subspecialty) == old
    assert Procedure.objects.get(code="anterior-resection").subspecialty == "colorectal"
    assert Procedure.objects.get(code="lobectomy").specialty == "cardiothoracic"


def test_the_api_keeps_the_old_values_readable(api, trainee):
    client = api.as_user(trainee)
    rows = client.get("/api/v1/procedures/", {"specialty": "colorectal", "page_size": 100}).json()["results"]
    assert rows and {(r["specialty"], r["subspecialty"], r["legacy_specialty"]) for r in rows} == {
        ("general", "colorectal", "colorectal")}
    general = client.get("/api/v1/procedures/", {"specialty": "general", "page_size": 100}).json()["results"]
    assert len(general) > len(rows)
    rarp = client.get(f"/api/v1/procedures/{Procedure.objects.get(code='rarp').pk}/").json()
    assert (rarp["opcs4"], rarp["legacy_specialty"], rarp["version"]) == ("M61.1", "urology", 1)


def test_an_application_given_an_old_specialty_code_stores_the_new_one(api, london):
    surgeon = UserFactory(full_name="Sara Surgeon", roles=[Role.TRAINEE], region=london)
    response = api.as_user(surgeon).post("/api/v1/trainer-applications/",
                                         application_payload(specialty="colorectal"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["specialty"], body["subspecialty"], body["legacy_specialty"]) == (
        "general", "colorectal", "colorectal")
    assert TrainerApplication.objects.get(pk=body["id"]).specialty == "general"
    wrong = api.as_user(surgeon).post("/api/v1/trainer-applications/",
                                      application_payload(specialty="urology", subspecialty="colorectal"),
                                      format="json")
    assert wrong.status_code in (400, 409)


def test_a_programme_admin_changes_a_procedure_and_its_old_version_is_kept(api, admin, trainee):
    procedure = Procedure.objects.get(code="rarp")
    url = f"/api/v1/procedures/{procedure.pk}/"
    assert api.as_user(trainee).patch(url, {"snomed": "123456"}, format="json").status_code == 403
    bad = api.as_user(admin).patch(url, {"opcs4": "61.1", "snomed": "x"}, format="json")
    assert bad.status_code == 400 and {"opcs4", "snomed"} <= set(bad.json())
    assert Procedure.objects.get(pk=procedure.pk).version == 1
    changed = api.as_user(admin).patch(url, {"opcs4": "m61.2", "specialty": "urology"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["opcs4"], changed.json()["version"]) == ("M61.2", 2)
    revision = ProcedureRevision.objects.get(procedure=procedure)
    assert (revision.version, revision.snapshot["opcs4"], revision.replaced_by_id) == (1, "M61.1", admin.pk)
    assert revision.snapshot["steps"][0] == "Port placement and docking"
    # The same values again change nothing and make no version.
    assert api.as_user(admin).patch(url, {"opcs4": "M61.2"}, format="json").json()["version"] == 2
    assert ProcedureRevision.objects.filter(procedure=procedure).count() == 1


def test_platforms_are_data_with_type_nice_status_and_docking_steps(api, trainee):
    rows = {r["code"]: r for r in api.as_user(trainee).get("/api/v1/platforms/").json()["results"]}
    assert {"davinci_si", "dexter"} <= set(rows)
    assert rows["dexter"]["nice_status"].startswith("NICE HTE21")
    assert "Not in NICE HTE21" in rows["davinci_si"]["nice_status"]
    assert rows["versius"]["docking_steps"] != rows["davinci_xi"]["docking_steps"]
