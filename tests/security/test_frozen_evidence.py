"""Evidence of an approved sign-off is frozen: its cases cannot be edited or deleted (409),
by the API or the pages, until the sign-off is reversed."""

from __future__ import annotations

import pytest

from accreditation.logbook import services as logbook
from accreditation.logbook.models import Case
from accreditation.signoff import services as signoff
from rastrack.core.exceptions import Conflict
from tests.builders.curriculum import make_framework
from tests.builders.logbook import make_case
from tests.builders.signoff import request_signoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def competency(admin):
    # A framework code of its own: the security world (tests/builders/security.py) may be
    # held open on this worker with the builders' default framework in it.
    return make_framework(admin, code="ras-red-team").competencies.get(key="comp-1-1")


@pytest.fixture
def approved_then_rejected(trainee, assigned_trainer, competency):
    """A submitted case named as evidence, the sign-off approved, then the case rejected by
    its validator, which would hand it back to the trainee for editing."""
    case = make_case(trainee, status="submitted")
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk, evidence_cases=[case.pk])
    signoff.signoff_request_approve(request=request, actor=assigned_trainer, feedback="")
    logbook.case_reject(case=case, actor=assigned_trainer, reason="Wrong date.")
    return case, request


def test_a_case_behind_an_approved_sign_off_cannot_be_edited_or_deleted(api, client, trainee,
                                                                         approved_then_rejected):
    case, _ = approved_then_rejected
    own = api.as_user(trainee)
    edit = own.patch(f"/api/v1/cases/{case.pk}/", {"notes": "Changed afterwards."}, format="json")
    assert edit.status_code == 409, edit.content
    assert "approved sign-off" in edit.json()["detail"]
    assert own.delete(f"/api/v1/cases/{case.pk}/").status_code == 409
    client.force_login(trainee)
    client.post(f"/logbook/cases/{case.pk}/delete/")
    assert Case.objects.filter(pk=case.pk).exists()
    case.refresh_from_db()
    assert case.notes != "Changed afterwards."


def test_reversing_the_sign_off_is_the_way_back(api, trainee, admin, approved_then_rejected):
    case, request = approved_then_rejected
    with pytest.raises(Conflict):
        logbook.case_delete(case=case, actor=trainee)
    signoff.signoff_request_reverse(request=request, actor=admin, reason="The evidence was wrong.")
    assert api.as_user(trainee).delete(f"/api/v1/cases/{case.pk}/").status_code == 204
