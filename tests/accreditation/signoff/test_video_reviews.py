"""Blinded multi-rater video reviews: who opens them, who may rate, what each person sees
before and after closing (API, page, CSV), and the result with its agreement figure."""

from decimal import Decimal

import pytest

from accreditation.signoff import video_reviews
from accreditation.signoff.agreement import METHOD, krippendorff_interval
from accreditation.signoff.models import VideoReview
from rastrack.accounts.roles import Role
from rastrack.audit.models import AuditEntry
from rastrack.notifications.models import Notification
from tests.builders.faculty import accredit
from tests.builders.logbook import case_fixture, make_case  # noqa: F401 - fixtures
from tests.builders.people import UserFactory
from tests.builders.signoff import GEARS
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/video-reviews/"
A_SCORES = dict(zip(GEARS, [1, 2, 3, 3, 4, 5], strict=True))  # total 18
B_SCORES = dict(zip(GEARS, [2, 2, 4, 3, 4, 4], strict=True))  # total 19


@pytest.fixture(name="second_rater")
def second_rater_fixture(london):
    trainer = UserFactory(full_name="Rhea Secondrater", roles=[Role.TRAINER], region=london)
    accredit(trainer)
    return trainer


@pytest.fixture(name="review")
def review_fixture(lead, trainee, case, unassigned_trainer, second_rater):
    return video_reviews.video_review_open(actor=lead, trainee=trainee, case=case, tool="gears",
                                     video_reference="vault:2026/abc123",
                                     raters=[unassigned_trainer.pk, second_rater.pk])


def _body(trainee, case, raters, **extra):
    return {"trainee": trainee.pk, "case": case.pk, "tool": "gears", "video_reference": "vault:2026/xyz",
            "raters": [r.pk for r in raters], **extra}


def test_a_regional_lead_opens_a_review_and_the_raters_are_told_without_the_trainees_name(
        api, lead, trainee, case, unassigned_trainer, second_rater):
    response = api.as_user(lead).post(URL, _body(trainee, case, [unassigned_trainer, second_rater]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["trainee"] == trainee.pk and body["result"] is None
    assert body["raters"] == [unassigned_trainer.pk, second_rater.pk]
    notes = Notification.objects.filter(kind="video_review.new")
    assert {n.recipient_id for n in notes} == {unassigned_trainer.pk, second_rater.pk}
    assert all(trainee.full_name not in n.body + n.subject for n in notes)
    assert AuditEntry.objects.filter(action="video_review.open", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(("raters", "fragment"), [
    (lambda t: [t["unassigned_trainer"]], "at least 2"),
    (lambda t: [t["unassigned_trainer"], t["assigned_trainer"]], "assigned trainers"),
    (lambda t: [t["unassigned_trainer"], t["unaccredited"]], "accredited trainer"),
])
def test_raters_must_be_two_accredited_trainers_not_assigned_to_the_trainee(
        api, admin, trainee, case, unassigned_trainer, assigned_trainer, raters, fragment):
    people = {"unassigned_trainer": unassigned_trainer, "assigned_trainer": assigned_trainer,
              "unaccredited": UserFactory(roles=[Role.TRAINER])}
    response = api.as_user(admin).post(URL, _body(trainee, case, raters(people)), format="json")
    assert response.status_code == 400
    assert any(fragment in m for m in response.json()["raters"]), response.json()
    assert not VideoReview.objects.exists()


def test_a_reference_with_patient_data_or_a_case_of_someone_else_is_refused(
        api, admin, trainee, other_trainee, case, unassigned_trainer, second_rater):
    response = api.as_user(admin).post(URL, _body(trainee, case, [unassigned_trainer, second_rater],
                                                  video_reference="NHS 943 476 5919"), format="json")
    assert response.status_code == 400 and "video_reference" in response.json()
    response = api.as_user(admin).post(URL, _body(other_trainee, case, [unassigned_trainer, second_rater]),
                                       format="json")
    assert response.status_code == 400 and "case" in response.json()


def test_a_lead_of_another_region_may_not_open_one(api, other_lead, trainee, case, unassigned_trainer,
                                                    second_rater):
    response = api.as_user(other_lead).post(URL, _body(trainee, case, [unassigned_trainer, second_rater]),
                                            format="json")
    assert response.status_code == 403


def test_before_closing_nobody_sees_anothers_rating_and_raters_do_not_see_the_trainee(
        api, review, trainee, lead, unassigned_trainer, second_rater):
    video_reviews.video_review_rate(actor=unassigned_trainer, review=review, scores=A_SCORES)
    detail = f"{URL}{review.pk}/"
    mine = api.as_user(unassigned_trainer).get(detail).json()
    assert mine["trainee"] is None and mine["trainee_name"] is None and mine["case"] is None
    assert mine["video_reference"] == "vault:2026/abc123" and mine["procedure_name"]
    assert [(r["rater"], r["total"]) for r in mine["ratings"]] == [(unassigned_trainer.pk, 18)]
    other_rater = api.as_user(second_rater).get(detail).json()
    assert [(r["rater"], r["scores"]) for r in other_rater["ratings"]] == [(second_rater.pk, None)]
    assert other_rater["raters"] == [second_rater.pk]
    seen_by_trainee = api.as_user(trainee).get(detail).json()
    assert seen_by_trainee["ratings"] == [] and seen_by_trainee["raters"] == []
    assert seen_by_trainee["result"] is None
    seen_by_lead = api.as_user(lead).get(detail).json()
    assert [(r["rated"], r["scores"], r["total"]) for r in seen_by_lead["ratings"]] == [
        (True, None, None), (False, None, None)]
    # The list says the same as the detail.
    assert api.as_user(trainee).get(URL).json()["results"][0]["ratings"] == []


def test_before_closing_the_page_and_the_csv_keep_the_blinding(client, review, trainee, unassigned_trainer,
                                                                second_rater):
    video_reviews.video_review_rate(actor=unassigned_trainer, review=review, scores=A_SCORES)
    login_verified(client, trainee)
    page = client.get(f"/assessments/video-reviews/{review.pk}/").content.decode()
    assert "data-review-ratings" not in page and "data-review-result" not in page
    csv_text = client.get("/assessments/video-reviews/export.csv").content.decode()
    assert "18" not in csv_text.splitlines()[1].split(",")[7:] and unassigned_trainer.full_name not in csv_text
    login_verified(client, second_rater)
    page = client.get(f"/assessments/video-reviews/{review.pk}/").content.decode()
    assert trainee.full_name not in page and unassigned_trainer.full_name not in page
    assert "Rate the video" in page
    csv_text = client.get("/assessments/video-reviews/export.csv").content.decode()
    assert trainee.full_name not in csv_text and unassigned_trainer.full_name not in csv_text


def test_a_rater_rates_once_others_may_not_and_scores_are_checked(api, review, assigned_trainer,
                                                                   unassigned_trainer):
    rate = f"{URL}{review.pk}/rate/"
    bad = api.as_user(unassigned_trainer).post(rate, {"scores": {**A_SCORES, "autonomy": 9}}, format="json")
    assert bad.status_code == 400 and set(bad.json()["scores"]) == {"autonomy"}
    assert api.as_user(unassigned_trainer).post(rate, {"scores": A_SCORES}, format="json").status_code == 200
    assert api.as_user(unassigned_trainer).post(rate, {"scores": A_SCORES}, format="json").status_code == 409
    assert api.as_user(assigned_trainer).post(rate, {"scores": A_SCORES}, format="json").status_code == 403


def test_the_last_rating_closes_the_review_with_totals_mean_and_agreement(
        api, client, review, trainee, unassigned_trainer, second_rater):
    video_reviews.video_review_rate(actor=unassigned_trainer, review=review, scores=A_SCORES)
    video_reviews.video_review_rate(actor=second_rater, review=review, scores=B_SCORES)
    review.refresh_from_db()
    assert review.status == "closed" and review.mean_total == Decimal("18.50")
    expected = krippendorff_interval([list(A_SCORES.values()), list(B_SCORES.values())])
    assert review.agreement_value == pytest.approx(expected)
    body = api.as_user(trainee).get(f"{URL}{review.pk}/").json()
    assert body["result"]["mean_total"] == "18.50" and body["result"]["totals"] == [18, 19]
    assert body["result"]["agreement"] == {"method": METHOD, "value": pytest.approx(expected)}
    assert [r["rater"] for r in body["ratings"]] == [None, None]  # the raters stay unnamed
    assert [r["total"] for r in body["ratings"]] == [18, 19]
    # A rater still never sees the other rating, only the result.
    other = api.as_user(second_rater).get(f"{URL}{review.pk}/").json()
    assert len(other["ratings"]) == 1 and other["result"]["totals"] == [18, 19]
    assert Notification.objects.filter(kind="video_review.closed", recipient=trainee).exists()
    login_verified(client, trainee)
    page = client.get(f"/assessments/video-reviews/{review.pk}/").content.decode()
    assert "data-review-result" in page and "18.50" in page and "Krippendorff" in page


def test_a_further_rater_opens_the_review_again(api, admin, review, unassigned_trainer, second_rater, london):
    video_reviews.video_review_rate(actor=unassigned_trainer, review=review, scores=A_SCORES)
    video_reviews.video_review_rate(actor=second_rater, review=review, scores=B_SCORES)
    third = UserFactory(full_name="Theo Third", roles=[Role.TRAINER], region=london)
    accredit(third)
    response = api.as_user(admin).post(f"{URL}{review.pk}/add-rater/", {"rater": third.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "open" and response.json()["result"] is None
    again = api.as_user(admin).post(f"{URL}{review.pk}/add-rater/", {"rater": third.pk}, format="json")
    assert again.status_code == 400 and "rater" in again.json()
    video_reviews.video_review_rate(actor=third, review=review, scores=B_SCORES)
    review.refresh_from_db()
    assert review.status == "closed" and review.mean_total == Decimal("18.67")


def test_the_list_takes_the_same_queries_for_one_review_or_many(
        api, lead, trainee, assigned_trainer, case, review,
        unassigned_trainer, second_rater):
    client = api.as_user(lead)
    client.get(URL)  # warm the token and the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).json()["count"] == 1
    for days in (6, 7, 8):
        other_case = make_case(trainee, assigned_trainer, days=days)
        video_reviews.video_review_open(actor=lead, trainee=trainee, case=other_case, tool="gears",
                                  video_reference=f"vault:{days}", raters=[unassigned_trainer.pk, second_rater.pk])
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).json()["count"] == 4
    assert len(many) == len(one)
