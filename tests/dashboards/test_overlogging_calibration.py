"""Over-logging (trainee/trainer disagreement) and calibration (self vs trainer assessment)
figures, by region and month, against a hand-computed world."""

from __future__ import annotations

import pytest

from accreditation.logbook import counting
from accreditation.logbook import services as logbook
from curriculum import services as curriculum
from dashboards import selectors as dashboards
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework, make_pathway
from tests.builders.faculty import accredit, assign
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
from tests.builders.signoff import assess, self_assess

pytestmark = pytest.mark.django_db


def _validated(trainee, trainer, *, days, **corrections):
    case = make_case(trainee, status="submitted", days=days)
    return logbook.case_validate(case=case, actor=trainer, **corrections)


@pytest.fixture
def quality_world(trainee, assigned_trainer, north_trainee, north_west):
    """London (trainee), this month: 4 validated cases: the trainer corrected the role of one
    (console_part -> console_whole, which also changes nothing else), the supervision code
    of another (S-TS -> A), both of a third; one agreed -> 3 of 4 = 0.75; role 2, supervision 2.
    Six weeks ago: 1 validated, agreed -> 0.0. A submitted case is not counted.
    Calibration: self 22 vs trainer 18 (+4), self 15 vs trainer 19 (-4): mean 0, mean |gap| 4;
    a trainer rating without a self-rating, and a self-rating without a trainer's, are not pairs.
    North West: north_trainee, this month, 1 case with the supervision corrected -> 1.0; a pair
    self 20 vs trainer 17 -> +3."""
    cases = [
        _validated(trainee, assigned_trainer, days=1, role="console_whole"),
        _validated(trainee, assigned_trainer, days=1, supervision="A"),
        _validated(trainee, assigned_trainer, days=1, role="observer", supervision="O"),
        _validated(trainee, assigned_trainer, days=1),
    ]
    _validated(trainee, assigned_trainer, days=45)
    make_case(trainee, status="submitted", days=1)
    self_assess(trainee, cases[0], total=22)
    assess(assigned_trainer, trainee, case=cases[0], total=18)
    self_assess(trainee, cases[1], total=15)
    assess(assigned_trainer, trainee, case=cases[1], total=19)
    assess(assigned_trainer, trainee, case=cases[2], total=20)
    self_assess(trainee, cases[3], total=25)

    nora = UserFactory(full_name="Nora North", roles=[Role.TRAINER], region=north_west)
    accredit(nora)
    assign(nora, north_trainee)
    north_case = _validated(north_trainee, nora, days=1, supervision="A")
    self_assess(north_trainee, north_case, total=20)
    assess(nora, north_trainee, case=north_case, total=17)
    return {"month": cases[0].date.strftime("%Y-%m")}


def _by(rows, region, month):
    return [row for row in rows if row["region"] == region.pk and row["month"] == month]


def test_disagreement_rate_by_region_and_month(quality_world, london, north_west):
    data = dashboards.dashboard()
    month = quality_world["month"]
    assert _by(data["overlogging"], london, month) == [{
        "region": london.pk, "region_name": london.name, "month": month, "validated": 4, "disagreements": 3,
        "role_corrected": 2, "supervision_corrected": 2, "disagreement_rate": 0.75,
        # Supervised console -> A (no own console work) and -> observer: over-logged; part -> whole
        # S-TS is supervised console either way.
        "overlogged": 2}]
    earlier = [row for row in data["overlogging"] if row["region"] == london.pk and row["month"] != month]
    assert [(row["validated"], row["disagreements"], row["disagreement_rate"]) for row in earlier] == [(1, 0, 0.0)]
    assert _by(data["overlogging"], north_west, month) == [{
        "region": north_west.pk, "region_name": north_west.name, "month": month, "validated": 1,
        "disagreements": 1, "role_corrected": 0, "supervision_corrected": 1, "disagreement_rate": 1.0,
        "overlogged": 1}]


def test_over_logging_reads_the_trainees_pathway_counting(quality_world, admin, trainee, london):
    # On a version that counts A at the console as supervised console work, S-TS -> A is no
    # longer over-logging; S-TS -> observer still is.
    pathway = make_pathway(admin, make_framework(admin), publish=False)
    counting.rules_set(actor=admin, pathway=pathway, rules=[
        *counting.DEFAULT_RULES, counting.Rule("supervised_console_cases", "console_part", "A")])
    pathway = curriculum.pathway_publish(actor=admin, pathway=pathway)
    curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway)
    [row] = _by(dashboards.dashboard()["overlogging"], london, quality_world["month"])
    assert (row["disagreements"], row["overlogged"]) == (3, 1)


def test_self_versus_trainer_gap(quality_world, london, north_west):
    data = dashboards.dashboard()
    month = quality_world["month"]
    assert _by(data["calibration"], london, month) == [{
        "region": london.pk, "region_name": london.name, "month": month, "tool": "gears", "pairs": 2,
        "mean_gap": 0.0, "mean_abs_gap": 4.0}]
    assert _by(data["calibration"], north_west, month) == [{
        "region": north_west.pk, "region_name": north_west.name, "month": month, "tool": "gears", "pairs": 1,
        "mean_gap": 3.0, "mean_abs_gap": 3.0}]


def test_regional_scope_both_ways(api, quality_world, lead, other_lead, london, north_west):
    mine = api.as_user(lead).get(f"/api/v1/dashboards/regions/{london.pk}/").json()
    assert {row["region"] for row in mine["overlogging"] + mine["calibration"]} == {london.pk}
    theirs = api.as_user(other_lead).get(f"/api/v1/dashboards/regions/{north_west.pk}/").json()
    assert {row["region"] for row in theirs["overlogging"] + theirs["calibration"]} == {north_west.pk}


def test_specialty_and_period_filters(api, quality_world, admin):
    client = api.as_user(admin)
    assert client.get("/api/v1/dashboards/national/", {"specialty": "colorectal"}).json()["calibration"] == []
    assert client.get("/api/v1/dashboards/national/", {"specialty": "urology"}).json()["overlogging"] != []
    month = quality_world["month"]
    narrowed = client.get("/api/v1/dashboards/national/", {"from": month, "to": month}).json()
    assert {row["month"] for row in narrowed["overlogging"]} == {month}
