"""Races on PostgreSQL through the real API: two callers at the same instant, each on its own
connection. Each race ends in exactly one effect (rows, audit entries, notifications) and
the loser gets a 409 (or a harmless no-op), never a 500.

Covered elsewhere, not repeated here (docs/reliability.md): the last seats of a session
(tests/labs/test_race.py) and concurrent creation of one notification
(tests/rastrack/notifications/test_outbox.py::test_concurrent_creation_with_one_key_stores_one_row).
"""

import pytest

from accreditation.faculty.models import Accreditation
from accreditation.logbook.models import Case, CaseStatus
from accreditation.signoff.models import SignoffRequest, SignoffStatus
from labs.models import Booking, BookingStatus, LabSession
from rastrack.accounts.roles import Role
from rastrack.audit.models import AuditEntry
from rastrack.audit.verify import first_broken_link
from rastrack.notifications.models import Notification
from tests.builders.labs import make_session
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    framework_fixture,
    request_signoff,
)
from tests.support.api_clients import token_client
from tests.support.races import race, statuses

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _audit(action, obj):
    return AuditEntry.objects.filter(action=action, object_id=str(obj.pk)).count()


def test_two_decisions_on_one_signoff_request_make_one_decision(trainee, assigned_trainer, competency):
    case = make_case(trainee, assigned_trainer)
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk, evidence_cases=[case.pk])
    url = f"/api/v1/signoff-requests/{request.pk}"
    approve, give_back = token_client(assigned_trainer), token_client(assigned_trainer)

    outcomes = race(
        lambda: approve.post(f"{url}/approve/", {"feedback": "Well docked."}, format="json"),
        lambda: give_back.post(f"{url}/return/", {"feedback": "Log two more."}, format="json"),
    )

    assert statuses(outcomes) == [200, 409]
    request.refresh_from_db()
    winner = "approve" if request.status == SignoffStatus.APPROVED else "return"
    assert request.status in {SignoffStatus.APPROVED, SignoffStatus.RETURNED}
    assert _audit("signoff.approve", request) + _audit("signoff.return", request) == 1
    assert _audit(f"signoff.{winner}", request) == 1
    assert Notification.objects.filter(idempotency_key=f"signoff.decided:{request.pk}").count() == 1
    loser = next(o.value for o in outcomes if o.value.status_code == 409)
    assert "final" in loser.json()["detail"]
    assert first_broken_link() is None


def test_the_same_approval_double_clicked_approves_once(trainee, assigned_trainer, competency):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    url = f"/api/v1/signoff-requests/{request.pk}/approve/"
    clients = [token_client(assigned_trainer) for _ in range(3)]

    outcomes = race(*[lambda c=c: c.post(url, {}, format="json") for c in clients])

    assert statuses(outcomes) == [200, 409, 409]
    assert SignoffRequest.objects.get(pk=request.pk).status == SignoffStatus.APPROVED
    assert _audit("signoff.approve", request) == 1
    assert Notification.objects.filter(idempotency_key=f"signoff.decided:{request.pk}").count() == 1


def test_two_validations_of_one_case_validate_it_once(trainee, assigned_trainer):
    case = make_case(trainee, assigned_trainer, status="submitted")
    url = f"/api/v1/cases/{case.pk}"
    clients = [token_client(assigned_trainer) for _ in range(3)]

    outcomes = race(
        lambda: clients[0].post(f"{url}/validate/", {}, format="json"),
        lambda: clients[1].post(f"{url}/validate/", {"supervision": "A"}, format="json"),
        lambda: clients[2].post(f"{url}/reject/", {"reason": "Wrong date."}, format="json"),
    )

    assert statuses(outcomes) == [200, 409, 409]
    case = Case.objects.get(pk=case.pk)
    assert case.status in {CaseStatus.VALIDATED, CaseStatus.REJECTED}
    decisions = AuditEntry.objects.filter(action__in=["case.validate", "case.reject"], object_id=str(case.pk))
    assert decisions.count() == 1
    assert first_broken_link() is None


def test_a_double_clicked_booking_books_one_seat(lab, lab_manager, trainee):
    session = make_session(lab, lab_manager, seats=3)
    clients = [token_client(trainee) for _ in range(2)]

    outcomes = race(*[lambda c=c: c.post("/api/v1/bookings/", {"session": session.pk}, format="json")
                      for c in clients])

    assert statuses(outcomes) == [201, 409]
    assert Booking.objects.filter(session=session, trainee=trainee).count() == 1
    assert Booking.objects.get(session=session, trainee=trainee).status == BookingStatus.CONFIRMED
    assert LabSession.objects.get(pk=session.pk).seats_booked == 1
    booking = Booking.objects.get(session=session, trainee=trainee)
    assert _audit("labs.booking.create", booking) == 1
    loser = next(o.value for o in outcomes if o.value.status_code == 409)
    assert "already have a booking" in loser.json()["detail"]


def test_the_last_seat_booked_through_the_api_goes_to_one_trainee(lab, lab_manager, london):
    session = make_session(lab, lab_manager, seats=1)
    trainees = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(4)]
    clients = [token_client(t) for t in trainees]

    outcomes = race(*[lambda c=c: c.post("/api/v1/bookings/", {"session": session.pk}, format="json")
                      for c in clients])

    assert statuses(outcomes) == [201] * 4  # the others are waitlisted, not refused
    assert sorted(o.value.json()["status"] for o in outcomes) == ["confirmed"] + ["waitlisted"] * 3
    assert LabSession.objects.get(pk=session.pk).seats_booked == 1
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 1


def test_two_approvals_of_one_trainer_application_grant_one_accreditation(lead, admin, london):
    applicant = UserFactory(full_name="Sara Surgeon", roles=[Role.TRAINEE], region=london)
    from tests.builders.faculty import application_payload

    created = token_client(applicant).post("/api/v1/trainer-applications/", application_payload(), format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/v1/trainer-applications/{created.json()['id']}/approve/"
    by_lead, by_admin = token_client(lead), token_client(admin)

    outcomes = race(lambda: by_lead.post(url, {}, format="json"),
                    lambda: by_admin.post(url, {}, format="json"))

    assert statuses(outcomes) == [200, 409]
    assert Accreditation.objects.filter(trainer=applicant).count() == 1
    application_id = created.json()["id"]
    assert AuditEntry.objects.filter(action="trainer_application.approve",
                                     object_id=str(application_id)).count() == 1
    assert AuditEntry.objects.filter(action="accreditation.grant").count() == 1
    assert AuditEntry.objects.filter(action="user.grant_role", object_id=str(applicant.pk)).count() == 1
    assert Notification.objects.filter(recipient=applicant, kind="trainer_application.approved").count() == 1
    assert first_broken_link() is None


def test_a_trainer_rating_and_the_self_rating_together_count_their_pair(trainee, assigned_trainer):
    """Each writer counts the pair from the case's ratings it reads; the case row is locked
    first, so the second one to commit sees the first and the calibration summary has the pair."""
    from accreditation.signoff import summaries
    from accreditation.signoff.models import CalibrationSummary
    from rastrack.core.summary_tables import stored
    from tests.builders.signoff import assess, self_assess

    for n in range(3):
        case = make_case(trainee, assigned_trainer, days=2 + n)
        outcomes = race(lambda c=case: assess(assigned_trainer, trainee, case=c, total=17, today=c.date),
                        lambda c=case: self_assess(trainee, c, total=21, today=c.date))
        assert [o.error for o in outcomes] == [None, None]
    assert sum(row["pairs"] for row in stored(CalibrationSummary).values()) == 3
    assert stored(CalibrationSummary) == summaries.calibration_compute()
