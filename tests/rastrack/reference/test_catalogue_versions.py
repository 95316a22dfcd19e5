"""Procedure steps as versioned data: a programme admin adds, renames, reorders and retires
steps (service, API, page); each change is a new version that keeps the replaced one readable;
cases already logged keep the step rows they were logged with; new cases see the current steps."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.logbook import services as logbook
from accreditation.logbook.models import CaseStep
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.reference import services
from rastrack.reference.models import Procedure, ProcedureRevision, ProcedureStep
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def rarp(db):
    return Procedure.objects.get(code="rarp")


def _current(procedure) -> list[tuple[int, str]]:
    return list(ProcedureStep.objects.filter(procedure=procedure, retired_in__isnull=True)
                .order_by("order").values_list("pk", "name"))


def _change(current: list[tuple[int, str]]) -> list[dict]:
    """Rename the 4th step, move the 1st to the end, retire the 2nd, add one after the 3rd."""
    (first, first_name), (_second, _), third, fourth, *rest = current
    return [{"id": third[0], "name": third[1]}, {"name": "Retzius-sparing approach"},
            {"id": fourth[0], "name": "Bladder neck dissection (posterior)"},
            *({"id": pk, "name": name} for pk, name in rest), {"id": first, "name": first_name}]


def test_a_step_change_is_a_new_version_and_the_old_case_keeps_its_steps(admin, trainee, assigned_trainer, rarp):
    old_case = make_case(trainee, assigned_trainer, steps=["Bladder neck dissection", "Bladder detachment"])
    logged = list(CaseStep.objects.filter(case=old_case).values_list("step_id", "step__name"))
    before = _current(rarp)

    changed = services.procedure_update(actor=admin, procedure=rarp, steps=_change(before))

    assert changed.version == 2
    names = [name for _pk, name in _current(rarp)]
    assert names[:3] == ["Endopelvic fascia incision", "Retzius-sparing approach",
                         "Bladder neck dissection (posterior)"]
    assert names[-1] == "Port placement and docking" and "Bladder detachment" not in names
    assert len(names) == len(before)  # one retired, one added; the rename replaced its row
    # The old case points at the very rows it was logged with, names unchanged.
    assert list(CaseStep.objects.filter(case=old_case).values_list("step_id", "step__name")) == logged
    retired = ProcedureStep.objects.filter(procedure=rarp, retired_in=2)
    assert set(retired.values_list("name", flat=True)) == {"Bladder detachment", "Bladder neck dissection"}
    # Version 1's steps stay readable, in their order, with the rows cases point at.
    revision = ProcedureRevision.objects.get(procedure=rarp, version=1)
    assert revision.snapshot["steps"] == [name for _pk, name in before]
    assert revision.snapshot["step_ids"] == [pk for pk, _name in before]
    versions = services.procedure_versions(Procedure.objects.get(pk=rarp.pk))
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert AuditEntry.objects.filter(action="procedure.update", object_id=str(rarp.pk)).count() == 1
    # The same steps again change nothing.
    again = [{"id": pk, "name": name} for pk, name in _current(rarp)]
    assert services.procedure_update(actor=admin, procedure=rarp, steps=again).version == 2


def test_new_cases_see_the_current_steps_only(api, admin, trainee, assigned_trainer, rarp):
    old_case = make_case(trainee, assigned_trainer, status="draft", steps=["Bladder detachment"])
    detachment = ProcedureStep.objects.get(procedure=rarp, name="Bladder detachment")
    services.procedure_update(actor=admin, procedure=rarp,
                              steps=[{"id": pk, "name": name} for pk, name in _current(rarp) if pk != detachment.pk])
    detachment.refresh_from_db()
    data = {"date": timezone.localdate() - datetime.timedelta(days=1), "site": SiteFactory(),
            "platform": "davinci_xi", "procedure": rarp, "role": "console_part", "supervision": "S-TS",
            "console_minutes": 90, "total_minutes": 200}
    with pytest.raises(ApplicationError) as refused:
        logbook.case_create(trainee=trainee, actor=trainee, data=data, steps=[logbook.StepEntry(step=detachment)])
    assert "no longer a step" in refused.value.errors["steps"][0]
    payload = {"date": data["date"].isoformat(), "site": data["site"].pk, "platform": "davinci_xi",
               "procedure": rarp.pk, "role": "console_part", "supervision": "S-TS", "console_minutes": 90,
               "total_minutes": 200, "supervisor_name": "Mr Jones", "steps": [{"step": detachment.pk}]}
    response = api.as_user(trainee).post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400 and "no longer a step" in str(response.json()["steps"])
    current = ProcedureStep.objects.get(procedure=rarp, name="Bladder neck dissection")
    payload["steps"] = [{"step": current.pk}]
    assert api.as_user(trainee).post("/api/v1/cases/", payload, format="json").status_code == 201
    # The case logged with it keeps it when edited.
    kept = logbook.case_update(case=old_case, actor=trainee, data={"notes": "Kept."},
                               steps=[logbook.StepEntry(step=detachment)])
    assert list(kept.steps.values_list("step_id", flat=True)) == [detachment.pk]


def test_the_api_changes_steps_for_admins_only_and_refuses_bad_input(api, admin, trainee, lead, rarp):
    url = f"/api/v1/procedures/{rarp.pk}/"
    before = _current(rarp)
    steps = _change(before)
    for person in (trainee, lead):
        assert api.as_user(person).patch(url, {"steps": steps}, format="json").status_code == 403
    client = api.as_user(admin)
    other = Procedure.objects.get(code="cholecystectomy").steps.first()
    for bad in ([], [{"name": ""}], [{"name": "A"}, {"name": "a"}], [{"id": other.pk, "name": other.name}],
                [{"id": before[0][0], "name": "A"}, {"id": before[0][0], "name": "B"}], "steps", [{"id": "x"}]):
        response = client.patch(url, {"steps": bad}, format="json")
        assert response.status_code == 400 and "steps" in response.json(), (bad, response.json())
    assert _current(rarp) == before and Procedure.objects.get(pk=rarp.pk).version == 1

    response = client.patch(url, {"steps": steps, "opcs4": "M61.2"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == 2 and body["opcs4"] == "M61.2"
    assert [s["name"] for s in body["steps"]] == [name for _pk, name in _current(rarp)]
    assert [s["order"] for s in body["steps"]] == list(range(1, len(before) + 1))

    versions = api.as_user(trainee).get(f"{url}versions/").json()["results"]
    assert [(v["version"], v["current"]) for v in versions] == [(2, True), (1, False)]
    assert versions[1]["steps"] == [name for _pk, name in before] and versions[1]["opcs4"] == "M61.1"
    assert versions[1]["replaced_by"] == admin.pk


def test_only_programme_admins_reach_the_catalogue_pages(client, request, rarp):
    for persona in ("trainee", "assigned_trainer", "lead", "lab_manager"):
        login_verified(client, request.getfixturevalue(persona))
        assert client.get("/reference/catalogue/").status_code == 403
        assert client.get(f"/reference/catalogue/{rarp.pk}/").status_code == 403
        assert client.post(f"/reference/catalogue/{rarp.pk}/", {"name": "Changed"}).status_code == 403
    assert Procedure.objects.get(pk=rarp.pk).version == 1


def _form(procedure, **overrides) -> dict:
    data = {"name": procedure.name, "opcs4": procedure.opcs4, "snomed": procedure.snomed,
            "specialty": procedure.specialty, "subspecialty": procedure.subspecialty,
            "steps": "\n".join(name for _pk, name in _current(procedure))}
    return {**data, **overrides}


def test_an_admin_edits_a_procedure_on_its_page(client, admin, rarp):
    login_verified(client, admin)
    home = client.get("/").content.decode()
    assert 'href="/reference/catalogue/"' in home
    listing = client.get("/reference/catalogue/").content.decode()
    assert "M61.1" in listing and f'href="/reference/catalogue/{rarp.pk}/"' in listing

    before = _current(rarp)
    refused = client.post(f"/reference/catalogue/{rarp.pk}/", _form(rarp, opcs4="61.1", steps="A\nA"))
    html = refused.content.decode()
    assert refused.status_code == 400 and "nhsuk-error-summary" in html
    assert "OPCS-4 code is a letter" in html and "listed twice" in html
    assert _current(rarp) == before and Procedure.objects.get(pk=rarp.pk).version == 1

    names = [name for _pk, name in before]
    lines = [names[2], names[0], "Retzius-sparing approach", *names[3:]]  # reorder, retire the 2nd, add one
    response = client.post(f"/reference/catalogue/{rarp.pk}/", _form(rarp, steps="\n".join(lines)))
    assert response.status_code == 302
    assert [name for _pk, name in _current(rarp)] == lines
    kept = {pk for pk, _name in _current(rarp)} & {pk for pk, _name in before}
    assert len(kept) == len(before) - 1  # moved steps keep their rows; only the new one is new
    page = client.get(f"/reference/catalogue/{rarp.pk}/").content.decode()
    assert "Version 2" in page and "Bladder detachment" in page  # still readable in version 1


def test_the_catalogue_page_is_constant_in_queries(client, admin, rarp, django_assert_num_queries):
    login_verified(client, admin)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/reference/catalogue/").status_code == 200
    for code in ("rarp", "cholecystectomy", "lobectomy"):
        procedure = Procedure.objects.get(code=code)
        services.procedure_update(actor=admin, procedure=procedure,
                                  steps=[{"name": "Only step"}, *({"id": pk, "name": n} for pk, n in _current(procedure))])
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/reference/catalogue/").content.decode().count(">2</td>") == 3


def test_only_programme_admins_change_steps_through_the_service(trainee, rarp):
    with pytest.raises(NotPermitted):
        services.procedure_update(actor=trainee, procedure=rarp, steps=[{"name": "Anything"}])
