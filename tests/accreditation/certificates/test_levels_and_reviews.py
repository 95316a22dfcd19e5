"""Supervision levels in ISCP 2021 wording and blinded video reviews in the portfolio export (CSV
and PDF) and the certificate PDF: a review shows there once closed, never before, both ways."""

from __future__ import annotations

import pytest

from accreditation.certificates.pdf import certificate_pdf
from accreditation.certificates.portfolio_export import (
    build_portfolio,
    portfolio_csv,
    portfolio_pdf,
)
from accreditation.signoff import services as signoff
from accreditation.signoff import video_reviews
from rastrack.accounts.roles import Role
from tests.builders.certificates import certificate_fixture, pdf_text  # noqa: F401 - fixtures
from tests.builders.faculty import accredit
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    GEARS,
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    gears,
    pathway_fixture,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

A_SCORES = dict(zip(GEARS, [1, 2, 3, 3, 4, 5], strict=True))  # total 18
B_SCORES = dict(zip(GEARS, [2, 2, 4, 3, 4, 4], strict=True))  # total 19
IV = "IV: able and trusted to act unsupervised (day-one consultant)"


@pytest.fixture(name="raters")
def raters_fixture(london, unassigned_trainer):
    second = UserFactory(full_name="Rhea Secondrater", roles=[Role.TRAINER], region=london)
    accredit(second)
    return unassigned_trainer, second


@pytest.fixture(name="review")
def review_fixture(lead, trainee, assigned_trainer, raters):
    case = make_case(trainee, assigned_trainer, days=12)
    review = video_reviews.video_review_open(actor=lead, trainee=trainee, case=case, tool="gears",
                                             video_reference="vault:2026/abc123", raters=[r.pk for r in raters])
    video_reviews.video_review_rate(actor=raters[0], review=review, scores=A_SCORES)
    return review


def _exports(viewer, trainee) -> tuple[str, str]:
    portfolio = build_portfolio(viewer=viewer, trainee=trainee)
    return portfolio_csv(portfolio), pdf_text(portfolio_pdf(portfolio))


def test_an_open_review_shows_nothing_of_its_ratings_in_the_exports(review, trainee, lead, raters):
    for viewer in (trainee, lead):
        csv_text, pdf = _exports(viewer, trainee)
        for text in (csv_text, pdf):
            assert "video_review_rating" not in text and "Rater 1" not in text
            assert "18" not in [cell for line in text.splitlines() if "video_review" in line
                                for cell in line.split(",")]
        assert "video_review_open,not shown until the review closes,open,1" in csv_text
        assert "1 review still open (not shown until closed)" in pdf
    csv_text, _pdf = _exports(trainee, trainee)
    assert raters[0].full_name not in csv_text


def test_a_closed_review_shows_each_total_the_mean_and_the_agreement(review, trainee, lead, raters):
    video_reviews.video_review_rate(actor=raters[1], review=review, scores=B_SCORES)
    review.refresh_from_db()
    agreement = f"{review.agreement_value:.2f}"
    csv_text, pdf = _exports(trainee, trainee)
    assert "video_review,GEARS: " in csv_text and ",closed,18.50," in csv_text
    assert f"agreement {agreement} (Krippendorff" in csv_text
    assert ",Rater 1,18," in csv_text and ",Rater 2,19," in csv_text
    assert raters[0].full_name not in csv_text and raters[1].full_name not in csv_text  # unnamed to the trainee
    assert "18.50" in pdf and "Krippendorff" in pdf and "Rater 1 18" in pdf
    csv_text, _pdf = _exports(lead, trainee)
    assert f",{raters[0].full_name},18," in csv_text  # those in scope see who rated, once closed


def test_the_certificate_pdf_lists_closed_reviews_only(certificate, review, trainee, raters):
    text = pdf_text(certificate_pdf(certificate))
    assert "18" not in text.split("Blinded video reviews")[-1].replace("2026", "")
    assert "still open" in text and "Rater 1" not in text
    video_reviews.video_review_rate(actor=raters[1], review=review, scores=B_SCORES)
    text = pdf_text(certificate_pdf(certificate))
    assert "Blinded video reviews (closed)" in text and "Mean total 18.50" in text and "Rater 2 19" in text
    assert raters[0].full_name not in text


def test_supervision_levels_in_iscp_2021_wording_in_the_exports_and_the_certificate(
        api, certificate, trainee, assigned_trainer, competency):
    signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20),
                              entrustment="IV", competency=competency)
    csv_text, pdf = _exports(trainee, trainee)
    assert f"supervision level {IV}" in csv_text
    assert f"supervision_level,{competency.code} {competency.title},best,{IV}" in csv_text
    assert "day-one consultant" in pdf and "Supervision levels (ISCP 2021)" in pdf
    text = pdf_text(api.as_user(trainee).get(f"/api/v1/certificates/{certificate.pk}/pdf/").content)
    assert "Supervision levels reached (ISCP 2021)" in text and "day-one consultant" in text
    assert "able to supervise others" not in csv_text + pdf + text


def test_a_blinded_level_stays_out_of_the_trainees_exports(certificate, client, trainee, assigned_trainer):
    case = make_case(trainee, assigned_trainer, days=3)
    signoff.assessment_create(actor=assigned_trainer, trainee=trainee, tool="gears", scores=gears(20), case=case,
                              entrustment="V")
    csv_text, pdf = _exports(trainee, trainee)
    assert "beyond that of a day-one consultant" not in csv_text + pdf
    assert "beyond that of a day-one consultant" not in pdf_text(certificate_pdf(certificate))
    csv_text, pdf = _exports(assigned_trainer, trainee)  # the assessor reads their own rating
    assert "beyond that of a day-one consultant" in csv_text and "beyond that of a day-one" in pdf
    login_verified(client, trainee)
    page = client.get("/assessments/").content.decode()
    assert "beyond that of a day-one consultant" not in page
