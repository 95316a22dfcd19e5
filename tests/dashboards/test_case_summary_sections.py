"""The dashboards' case and over-logging sections read the case summary
(`accreditation.logbook.summaries`): the same rows as the live computation over the cases
they replaced (kept here as the oracle), for every filter, in a varied world; and after a
change behind the services' back, the nightly rebuild puts them right again."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from accreditation.logbook import counting, summaries
from accreditation.logbook import services as logbook
from accreditation.logbook.models import Case, CaseMonthSummary, CaseStatus, CaseStep, CountingRule
from curriculum import services as curriculum
from curriculum.models import Enrolment
from dashboards import selectors as dashboards
from dashboards.calibration import rounded
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_move_region
from rastrack.core.months import add_months, first_of_month
from rastrack.core.summary_tables import stored
from rastrack.reference.models import Platform, Procedure, ProcedureStep
from tests.builders.curriculum import make_framework, make_pathway
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- The oracle: the live computation the sections made before the summary --------------------


def live_cases_section(f: dashboards.Filters) -> list[dict]:
    rows = (Case.objects.filter(f.region("trainee__region_id"), f.specialty_of("procedure__specialty"),
                                status__in=(CaseStatus.VALIDATED, CaseStatus.SUBMITTED),
                                date__gte=f.start, date__lt=f.end_exclusive)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("month", "platform")
            .annotate(validated=Count("id", filter=Q(status=CaseStatus.VALIDATED)),
                      submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)))
            .order_by("month", "platform"))
    names = dict(Platform.choices)
    return [{"month": row["month"].strftime("%Y-%m"), "platform": row["platform"],
             "platform_name": str(names.get(row["platform"], row["platform"])),
             "validated": row["validated"], "submitted": row["submitted"]} for row in rows]


def live_overlogging_section(f: dashboards.Filters) -> list[dict]:
    cases = Case.objects.filter(f.region("trainee__region_id"), f.specialty_of("procedure__specialty"),
                                date__gte=f.start, date__lt=f.end_exclusive)
    rows = (cases.filter(status=CaseStatus.VALIDATED, trainee__region__isnull=False)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("trainee__region_id", "trainee__region__name", "month")
            .annotate(validated=Count("id"),
                      disagreements=Count("id", filter=Q(disagreement=True)),
                      role_corrected=Count("id", filter=Q(disagreement=True) & ~Q(validated_role=F("role"))),
                      supervision_corrected=Count("id", filter=Q(disagreement=True)
                                                  & ~Q(validated_supervision=F("supervision"))))
            .order_by("trainee__region__name", "month"))
    latest_pathway = (Enrolment.objects.filter(trainee_id=OuterRef("trainee_id"))
                      .order_by("-id").values("pathway_id")[:1])
    corrected = cases.filter(status=CaseStatus.VALIDATED, trainee__region__isnull=False, disagreement=True)
    groups = (corrected.annotate(month=TruncMonth("date", output_field=DateField()),
                                 pathway=Subquery(latest_pathway),
                                 taken_over=Exists(CaseStep.objects.filter(case_id=OuterRef("pk"), takeover=True)))
              .values("trainee__region_id", "month", "pathway", "role", "supervision", "validated_role",
                      "validated_supervision", "taken_over")
              .annotate(n=Count("id")).order_by())
    own: dict = {}
    for rule in CountingRule.objects.values_list("pathway_id", "counted_as", "role", "supervision", "takeover"):
        own.setdefault(rule[0], []).append(counting.Rule(*rule[1:]))
    overlogged: dict = {}
    for g in groups:
        if counting.is_overlogged(claimed=(g["role"], g["supervision"]),
                                  validated=(g["validated_role"], g["validated_supervision"]),
                                  taken_over=g["taken_over"], rules=own.get(g["pathway"]) or counting.DEFAULT_RULES):
            key = (g["trainee__region_id"], g["month"])
            overlogged[key] = overlogged.get(key, 0) + g["n"]
    return [{"region": row["trainee__region_id"], "region_name": row["trainee__region__name"],
             "month": row["month"].strftime("%Y-%m"), "validated": row["validated"],
             "disagreements": row["disagreements"], "role_corrected": row["role_corrected"],
             "supervision_corrected": row["supervision_corrected"],
             "disagreement_rate": rounded(row["disagreements"] / row["validated"], 3),
             "overlogged": overlogged.get((row["trainee__region_id"], row["month"]), 0)} for row in rows]


# --- A varied world -------------------------------------------------------------------------------


def _console_whole_p_with_takeover(trainee, trainer, *, days):
    """Claimed independent (whole case, P) but a step was taken over: under the defaults it was
    never independent, so correcting it to S-TS is not over-logging."""
    step = ProcedureStep.objects.filter(procedure__code="rarp", retired_in__isnull=True).order_by("order").first()
    case = logbook.case_create(trainee=trainee, actor=trainee, data={
        "date": days_ago(days), "site": SiteFactory(), "platform": "davinci_xi",
        "procedure": Procedure.objects.get(code="rarp"), "role": "console_whole", "supervision": "P",
        "console_minutes": 90, "total_minutes": 240}, steps=[logbook.StepEntry(step=step, takeover=True)])
    logbook.case_submit(case=case, actor=trainee)
    return logbook.case_validate(case=case, actor=trainer, supervision="S-TS")


def _corrected(trainee, trainer, *, days, procedure="rarp", platform="davinci_xi", claimed="console_part", **fix):
    case = make_case(trainee, status="submitted", days=days, procedure=procedure, platform=platform, role=claimed)
    return logbook.case_validate(case=case, actor=trainer, **fix)


@pytest.fixture
def varied_world(admin, london, north_west, trainee, other_trainee, assigned_trainer, north_trainee):
    """London (trainee, other_trainee), North West (north_trainee) and a trainee with no
    region; three months; urology, colorectal (general surgery) and upper GI procedures; three
    platforms; every status, withdrawn and deleted cases, corrections of role and code, a
    takeover, and a trainee whose latest enrolment counts A at the console as console work."""
    nora = UserFactory(full_name="Nora North", roles=[Role.TRAINER], region=north_west)
    accredit(nora)
    assign(nora, north_trainee)
    assign(assigned_trainer, other_trainee)
    nowhere = UserFactory(full_name="Nell Nowhere", roles=[Role.TRAINEE], region=None)
    assign(assigned_trainer, nowhere)

    for days in (1, 40, 80):
        make_case(trainee, assigned_trainer, days=days)
        make_case(trainee, assigned_trainer, days=days, procedure="right-hemicolectomy", platform="versius")
    make_case(trainee, status="submitted", days=2, procedure="anterior-resection", platform="hugo")
    make_case(trainee, status="draft", days=3)
    _corrected(trainee, assigned_trainer, days=1, supervision="A")
    _corrected(trainee, assigned_trainer, days=40, procedure="right-hemicolectomy", platform="versius",
               role="observer", supervision="O")
    _console_whole_p_with_takeover(trainee, assigned_trainer, days=5)
    withdrawn = make_case(trainee, status="submitted", days=6)
    logbook.case_withdraw(case=withdrawn, actor=trainee)
    rejected = make_case(trainee, status="submitted", days=7, platform="versius")
    logbook.case_reject(case=rejected, actor=assigned_trainer, reason="Add the console time of each step.")
    deleted = make_case(trainee, status="draft", days=8)
    logbook.case_delete(case=deleted, actor=trainee)

    make_case(other_trainee, assigned_trainer, days=41, procedure="fundoplication", platform="hugo")
    _corrected(other_trainee, assigned_trainer, days=2, role="console_whole")
    make_case(other_trainee, status="submitted", days=81, procedure="apr", platform="versius")

    make_case(north_trainee, nora, days=1, platform="versius")
    _corrected(north_trainee, nora, days=1, supervision="A")
    make_case(north_trainee, status="submitted", days=42)

    make_case(nowhere, assigned_trainer, days=1)
    _corrected(nowhere, assigned_trainer, days=40, procedure="apr", supervision="A")
    make_case(nowhere, status="submitted", days=2, platform="hugo")

    # other_trainee's latest enrolment counts A at the console as supervised console work: a
    # correction S-TS -> A of theirs is not over-logging (the watcher applies it at once).
    _corrected(other_trainee, assigned_trainer, days=3, supervision="A")
    pathway = make_pathway(admin, make_framework(admin), publish=False)
    counting.rules_set(actor=admin, pathway=pathway, rules=[
        *counting.DEFAULT_RULES, counting.Rule("supervised_console_cases", "console_part", "A")])
    pathway = curriculum.pathway_publish(actor=admin, pathway=pathway)
    curriculum.enrolment_create(actor=other_trainee, trainee=other_trainee, pathway=pathway)
    return {"nowhere": nowhere}


def _filters(*, region=None, specialty="", start=None, end=None) -> dashboards.Filters:
    today = datetime.date.today()
    return dashboards.Filters(region_id=region, specialty=specialty,
                              start=first_of_month(start or add_months(today, -6)),
                              end=first_of_month(end or today), today=today)


def _all_filters(london, north_west):
    month_40 = days_ago(40)
    return [
        _filters(),
        _filters(region=london.pk),
        _filters(region=north_west.pk),
        _filters(specialty="colorectal"),
        _filters(specialty="general"),
        _filters(specialty="urology", region=london.pk),
        _filters(start=month_40, end=month_40),
        _filters(start=days_ago(80), end=days_ago(40), specialty="colorectal"),
    ]


def test_the_stored_summary_is_what_the_rebuild_computes(varied_world):
    assert stored(CaseMonthSummary) == summaries.compute_case_summary()
    rows = stored(CaseMonthSummary)
    assert {key[0] for key in rows} >= {0}  # the trainee with no region is counted, region 0
    assert sum(s["overlogged"] for s in rows.values()) >= 2
    assert summaries.rebuild_case_summary() == 0


def test_the_sections_read_from_the_summary_equal_the_live_computation(varied_world, london, north_west):
    for f in _all_filters(london, north_west):
        cases, overlogging = dashboards.cases_section(f), dashboards.overlogging_section(f)
        assert cases == live_cases_section(f), f
        assert overlogging == live_overlogging_section(f), f
    national = _filters()
    assert len(dashboards.cases_section(national)) >= 5
    assert {row["region"] for row in dashboards.overlogging_section(national)} == {london.pk, north_west.pk}
    # The takeover and the latest enrolment's counting both show: London's corrections this month.
    assert any(row["overlogged"] for row in dashboards.overlogging_section(national))
    assert dashboards.cases_section(_filters(specialty="cardiothoracic")) == []


def test_a_change_behind_the_services_back_is_corrected_by_the_rebuild(varied_world, london, north_west, trainee):
    case = Case.objects.filter(trainee=trainee, status=CaseStatus.VALIDATED, platform="davinci_xi").first()
    Case.objects.filter(pk=case.pk).unaudited_update("test: a raw fix", platform="hugo")
    assert dashboards.cases_section(_filters()) != live_cases_section(_filters())
    assert summaries.rebuild_case_summary() >= 2
    assert stored(CaseMonthSummary) == summaries.compute_case_summary()
    for f in _all_filters(london, north_west):
        assert dashboards.cases_section(f) == live_cases_section(f), f
        assert dashboards.overlogging_section(f) == live_overlogging_section(f), f
    assert summaries.rebuild_case_summary() == 0


def test_a_region_move_recounts_the_trainees_cases_at_once(varied_world, london, north_west, trainee):
    user_move_region(user=trainee, region=north_west)
    user_move_region(user=varied_world["nowhere"], region=london)
    assert stored(CaseMonthSummary) == summaries.compute_case_summary()
    for f in _all_filters(london, north_west):
        assert dashboards.cases_section(f) == live_cases_section(f), f
        assert dashboards.overlogging_section(f) == live_overlogging_section(f), f
    assert not CaseMonthSummary.objects.filter(region_id=0).exists()
    assert summaries.rebuild_case_summary() == 0


def test_the_sections_are_one_query_each(varied_world, london, django_assert_num_queries):
    f = _filters(region=london.pk, specialty="colorectal")
    with django_assert_num_queries(1):
        dashboards.cases_section(f)
    with django_assert_num_queries(1):
        dashboards.overlogging_section(f)
