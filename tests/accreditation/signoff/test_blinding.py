"""Blinded self-assessment: neither side reads the other's scores of a case until both have
rated it (or the trainer's rating is final), on every endpoint and page; then both are shown
with the difference per domain."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accreditation.signoff import services as signoff_services
from accreditation.signoff.selectors import signoff_rules
from curriculum.progress import progress_for
from rastrack.accounts.roles import Role
from tests.builders.logbook import case_fixture, make_case  # noqa: F401 - fixtures
from tests.builders.signoff import (  # noqa: F401 - fixtures
    assess,
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    gears,
    pathway_fixture,
    request_signoff,
    self_assess,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"
TRAINER_TOTAL = 23  # a number that appears nowhere else in the pages below
SELF_TOTAL = 27


def _leaks(text: str, total: int) -> bool:
    return f">{total}<" in text or f'"total":{total}' in text.replace(" ", "") or f",{total}," in text


def _sign_in(client, user):
    if user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD):
        login_verified(client, user)
    else:
        client.force_login(user)


def _api_views(client, assessment, trainee):
    """Every API answer that could carry the assessment's scores."""
    return {
        "list": client.get(URL).json()["results"],
        "filter_trainee": client.get(f"{URL}?trainee={trainee.pk}").json()["results"],
        "filter_case": client.get(f"{URL}?case={assessment.case_id}").json()["results"],
        "filter_tool": client.get(f"{URL}?tool=gears&is_self={str(assessment.is_self).lower()}").json()["results"],
        "detail": [client.get(f"{URL}{assessment.pk}/").json()],
    }


def _assert_masked(client, assessment, trainee):
    for name, rows in _api_views(client, assessment, trainee).items():
        row = next(r for r in rows if r["id"] == assessment.pk)
        assert row["blinded"] is True, name
        assert row["scores"] is None and row["total"] is None and row["feedback"] == "", (name, row)
    # Filtering on the total never matches a blinded row (it would tell its total).
    for low in (6, assessment.total, 30):
        ids = [r["id"] for r in client.get(f"{URL}?total_min={low}").json()["results"]]
        assert assessment.pk not in ids
    assert client.get(f"{URL}?blinded=true").json()["count"] >= 1
    calibration = client.get(f"{URL}{assessment.pk}/calibration/").json()
    assert calibration["revealed"] is False and calibration["pairs"] == []
    history = client.get(f"{URL}calibration/?trainee={trainee.pk}").json()
    assert history["pairs"] == []


def _assert_shown(client, assessment, trainee):
    row = client.get(f"{URL}{assessment.pk}/").json()
    assert row["blinded"] is False and row["total"] == assessment.total and row["scores"] == assessment.scores


# --- The trainer rated first ---------------------------------------------------------------------


def test_the_trainee_cannot_read_the_trainers_scores_before_rating_the_case(
        api, client, trainee, assigned_trainer, case):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case, feedback="Autonomy 3 of 5.")
    _assert_masked(api.as_user(trainee), rating, trainee)
    # The trainer and others in scope read it.
    _assert_shown(api.as_user(assigned_trainer), rating, trainee)

    # Pages and the CSV export: no score, no total, no feedback.
    client.force_login(trainee)
    for path in (f"/assessments/{rating.pk}/", "/assessments/", f"/assessments/?trainee={trainee.pk}",
                 "/assessments/export.csv"):
        html = client.get(path).content.decode()
        assert not _leaks(html, TRAINER_TOTAL), path
        assert "Autonomy 3 of 5" not in html, path
    csv_row = next(line for line in client.get("/assessments/export.csv").content.decode().splitlines()
                   if line.startswith(f"{rating.pk},"))
    assert ",yes,,," in csv_row  # blinded: total, scores and feedback empty
    assert "Rate this case yourself" in client.get(f"/assessments/{rating.pk}/").content.decode()
    # Control: once the trainee has rated the case, the same page shows the total.
    self_assess(trainee, case, total=SELF_TOTAL)
    assert _leaks(client.get(f"/assessments/{rating.pk}/").content.decode(), TRAINER_TOTAL)


def test_rating_the_case_reveals_both_with_the_difference_per_domain(api, trainee, assigned_trainer, case):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    own = self_assess(trainee, case, total=SELF_TOTAL)
    for user in (trainee, assigned_trainer):
        client = api.as_user(user)
        _assert_shown(client, rating, trainee)
        _assert_shown(client, own, trainee)
        calibration = client.get(f"{URL}{own.pk}/calibration/").json()
        assert calibration["revealed"] is True
        (pair,) = calibration["pairs"]
        assert pair["total_difference"] == SELF_TOTAL - TRAINER_TOTAL
        assert pair["difference"] == {k: gears(SELF_TOTAL)[k] - gears(TRAINER_TOTAL)[k] for k in gears()}
        assert list(pair["difference"]) == list(gears())  # the tool's domain order
        assert client.get(f"{URL}{rating.pk}/calibration/").json()["pairs"] == [pair]
        history = client.get(f"{URL}calibration/?trainee={trainee.pk}").json()
        assert [p["total_difference"] for p in history["pairs"]] == [SELF_TOTAL - TRAINER_TOTAL]


def test_the_trainers_rating_is_final_after_the_blind_window(api, trainee, assigned_trainer, case):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    assert rating.blind_until == timezone.localdate() + datetime.timedelta(days=signoff_rules().blind_window_days)
    _assert_masked(api.as_user(trainee), rating, trainee)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        _assert_shown(api.as_user(trainee), rating, trainee)
        # Too late for a blind self-rating of that case.
        response = api.as_user(trainee).post(URL, {"trainee": trainee.pk, "tool": "gears", "scores": gears(20),
                                                   "case": case.pk}, format="json")
        assert response.status_code == 409


def test_the_blind_window_is_configurable(trainee, assigned_trainer, case):
    rules = signoff_rules()
    rules.blind_window_days = 3
    rules.save()
    rating = assess(assigned_trainer, trainee, case=case)
    assert rating.blind_until == timezone.localdate() + datetime.timedelta(days=3)


def test_an_assessment_of_no_case_is_never_blinded(api, trainee, assigned_trainer):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL)
    _assert_shown(api.as_user(trainee), rating, trainee)


def test_another_tool_on_the_same_case_does_not_reveal(api, trainee, assigned_trainer, case):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    signoff_services.assessment_create(actor=trainee, trainee=trainee, tool="entrustment", scores={"level": 3},
                                       case=case)
    _assert_masked(api.as_user(trainee), rating, trainee)


# --- The trainee rated first ---------------------------------------------------------------------


def test_nobody_else_reads_a_self_assessment_before_a_trainer_rates_the_case(
        api, client, trainee, assigned_trainer, lead, admin, case):
    own = self_assess(trainee, case, total=SELF_TOTAL)
    _assert_shown(api.as_user(trainee), own, trainee)
    for user in (assigned_trainer, lead, admin):
        _assert_masked(api.as_user(user), own, trainee)
    _sign_in(client, assigned_trainer)
    for path in (f"/assessments/{own.pk}/", "/assessments/", "/assessments/export.csv"):
        assert not _leaks(client.get(path).content.decode(), SELF_TOTAL), path
    # The trainer rates the case: both are revealed, to both sides and to the others.
    assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    for user in (trainee, assigned_trainer, lead, admin):
        _assert_shown(api.as_user(user), own, trainee)
    assert _leaks(client.get(f"/assessments/{own.pk}/").content.decode(), SELF_TOTAL)  # control


def test_a_self_assessment_attached_as_evidence_stays_blinded_on_the_request(
        client, trainee, assigned_trainer, case, competency):
    own = self_assess(trainee, case, total=SELF_TOTAL)
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk, evidence_assessments=[own.pk])
    client.force_login(assigned_trainer)
    html = client.get(f"/signoff/{request.pk}/").content.decode()
    assert "scores hidden" in html and f"total {SELF_TOTAL}" not in html
    assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    assert f"total {SELF_TOTAL}" in client.get(f"/signoff/{request.pk}/").content.decode()


# --- Progress never shows a blinded score ----------------------------------------------------------


def test_progress_counts_a_trainers_rating_only_once_it_is_released(
        api, client, trainee, assigned_trainer, enrolment):
    cases = [make_case(trainee, assigned_trainer, days=10 - i) for i in range(2)]
    for c in cases:
        assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=c)
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.type == "assessment_threshold")
    assert item.value == 0 and item.evidence == ()
    client.force_login(trainee)
    assert not _leaks(client.get(f"/curriculum/enrolments/{enrolment.pk}/").content.decode(), TRAINER_TOTAL)
    api_progress = api.as_user(trainee).get(f"/api/v1/enrolments/{enrolment.pk}/progress/").json()
    assert f"GEARS {TRAINER_TOTAL}" not in str(api_progress)
    for c in cases:
        self_assess(trainee, c, total=SELF_TOTAL)
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.type == "assessment_threshold")
    assert item.value == TRAINER_TOTAL and item.met  # self-assessments never count


def test_the_other_trainee_in_a_shared_scope_sees_nothing(api, trainee, other_trainee, assigned_trainer, case):
    rating = assess(assigned_trainer, trainee, total=TRAINER_TOTAL, case=case)
    client = api.as_user(other_trainee)
    assert client.get(f"{URL}{rating.pk}/").status_code == 404
    assert client.get(f"{URL}{rating.pk}/calibration/").status_code == 404
    assert client.get(f"{URL}calibration/?trainee={trainee.pk}").status_code == 404

