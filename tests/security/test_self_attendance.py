"""Nobody marks their own attendance or verifies their own evidence, whatever roles they hold:
a trainee who also manages the lab, or is on the session's faculty, is refused (403) on their
own booking and may still mark everyone else's."""

from __future__ import annotations

import pytest

from labs import services as labs
from rastrack.accounts.roles import Role
from tests.builders.faculty import accredit
from tests.builders.labs import book_in_past, make_session, when
from tests.builders.people import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(admin, london, lab_manager):
    # A site of its own: the security world may be held open on this worker with the labs
    # builders' named site in it.
    return labs.lab_create(actor=admin, name="Red Team Skills Lab", region=london,
                           site=SiteFactory(region=london), address="Education Centre", managers=[lab_manager])


def _mark(api, user, booking):
    return api.as_user(user).post(f"/api/v1/bookings/{booking.pk}/attended/")


def test_a_trainee_who_manages_the_lab_cannot_mark_their_own_attendance(api, admin, lab, lab_manager,
                                                                        trainee, london):
    dual = UserFactory(full_name="Dee Dual", roles=[Role.TRAINEE, Role.LAB_MANAGER], region=london)
    labs.lab_update(actor=admin, lab=lab, managers=[lab_manager, dual])
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1))
    own, other = book_in_past(dual, session), book_in_past(trainee, session)
    refused = _mark(api, dual, own)
    assert refused.status_code == 403
    assert "own attendance" in refused.json()["detail"]
    assert _mark(api, dual, other).status_code == 200
    assert _mark(api, lab_manager, own).status_code == 200


def test_a_trainee_on_the_sessions_faculty_cannot_mark_their_own_attendance(api, lab, lab_manager, trainee,
                                                                            london):
    dual = UserFactory(full_name="Tam Twohats", roles=[Role.TRAINEE, Role.TRAINER], region=london)
    accredit(dual)
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), faculty=[dual])
    own, other = book_in_past(dual, session), book_in_past(trainee, session)
    assert _mark(api, dual, own).status_code == 403
    assert _mark(api, dual, other).status_code == 200
