"""The progress engine reads each kind of evidence once per computation: the progress page and
the API's progress cost the same number of queries for 5 cases as for 60, a batch of summary
snapshots the same for 2 enrolments as for 6, and the in-memory counting says what the SQL
counting says."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accreditation.logbook.counting import LEGACY_RULES, rules_for
from accreditation.logbook.progress import CaseEvidenceProvider
from curriculum import progress_summary
from curriculum import services as curriculum
from curriculum.models import ProgressSnapshot, RequirementSnapshot
from curriculum.progress import progress_for, progress_for_many
from rastrack.accounts.roles import Role
from rastrack.reference.models import Procedure
from tests.builders.curriculum import make_framework, make_pathway, rarp_step
from tests.builders.faculty import assign
from tests.builders.logbook import make_case, make_session
from tests.builders.people import UserFactory
from tests.builders.signoff import assess, enrol
from tests.support.api_clients import token_client

pytestmark = pytest.mark.django_db

MAX_QUERIES = 13


@pytest.fixture
def pathway(admin):
    """Every kind of evidence: e-learning, simulator scores and hours, bedside and console cases
    (by procedure, step and hours, and independent ones), GEARS assessments (a threshold and a
    count), lab attendance, a competency sign-off and the final sign-off."""
    pathway = make_pathway(admin, make_framework(admin), code="everything", publish=False)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Console")
    rarp = Procedure.objects.get(code="rarp")
    console = curriculum.component_create(actor=admin, module=module, title="Console", kind="supervised_console_cases")
    curriculum.requirement_create(actor=admin, component=console, type="min_count", params={"count": 20},
                                  procedure=rarp, procedure_step=rarp_step("Bladder neck dissection"))
    curriculum.requirement_create(actor=admin, component=console, type="min_hours", params={"hours": "30"})
    independent = curriculum.component_create(actor=admin, module=module, title="Independent",
                                              kind="independent_console_cases")
    curriculum.requirement_create(actor=admin, component=independent, type="min_count", params={"count": 5})
    sim = curriculum.component_create(actor=admin, module=module, title="Simulator hours", kind="simulation")
    curriculum.requirement_create(actor=admin, component=sim, type="min_hours", params={"hours": "2"})
    gears = curriculum.component_create(actor=admin, module=module, title="GEARS", kind="assessment")
    curriculum.requirement_create(actor=admin, component=gears, type="assessment_threshold",
                                  params={"tool": "gears", "min_total": 20, "consecutive": 2})
    curriculum.requirement_create(actor=admin, component=gears, type="min_count", params={"count": 10})
    lab = curriculum.component_create(actor=admin, module=module, title="Dry lab", kind="dry_lab")
    curriculum.requirement_create(actor=admin, component=lab, type="min_count", params={"count": 2})
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def _log(trainee, trainer, n: int) -> None:
    """`n` validated cases (bedside, and console with the bladder-neck step), a verified simulator
    session and a GEARS assessment every fifth case."""
    for i in range(n):
        if i % 2:
            make_case(trainee, trainer, role="bedside_assistant", days=5 + i)
        else:
            make_case(trainee, trainer, role="console_part", days=5 + i,
                      steps=("Bladder detachment", "Bladder neck dissection"))
        if i % 5 == 0:
            make_session(trainee, days=3 + i, verifier=trainer)
            # Not of a case: released to the trainee at once (one of a case waits for its blinding).
            assess(trainer, trainee, total=18 + i % 7)


def _queries(get) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get()
    assert response.status_code == 200
    return len(queries)


def test_the_progress_page_and_endpoint_take_the_same_few_queries_for_5_and_60_cases(
        pathway, trainee, assigned_trainer):
    enrolment = enrol(trainee, pathway)
    page = Client()
    page.force_login(trainee)
    api = token_client(trainee)
    url = f"/curriculum/enrolments/{enrolment.pk}/"
    endpoint = f"/api/v1/enrolments/{enrolment.pk}/progress/"

    _log(trainee, assigned_trainer, 5)
    page_5, api_5 = _queries(lambda: page.get(url)), _queries(lambda: api.get(endpoint))
    _log(trainee, assigned_trainer, 55)
    page_60, api_60 = _queries(lambda: page.get(url)), _queries(lambda: api.get(endpoint))
    body = api.get(endpoint).json()

    assert (page_5, api_5) == (page_60, api_60), "a query per case (or per requirement) crept in"
    assert page_60 <= MAX_QUERIES and api_60 <= MAX_QUERIES, (page_60, api_60)
    counted = {r["component_title"] + " " + r["type"]: r["value"] for r in body["requirements"]}
    # 5 then 55 cases: 2 + 27 bedside, 3 + 28 console, an assessment of every fifth.
    assert counted["Bedside min_count"] == 29
    assert counted["Console min_count"] == 31  # every console case lists the bladder-neck step
    assert counted["Console min_hours"] == 46.5  # 31 cases of 90 console minutes
    assert counted["GEARS min_count"] == 12


def test_a_batch_measures_each_enrolment_as_alone(admin, pathway, trainee, other_trainee, assigned_trainer):
    _log(trainee, assigned_trainer, 12)
    make_case(trainee, assigned_trainer, role="observer", days=40)
    make_case(trainee, assigned_trainer, role="console_whole", supervision="P", days=41)
    make_case(trainee, assigned_trainer, role="console_part", status="submitted", days=42)
    literacy = make_pathway(admin, make_framework(admin, code="ras-second"))
    batch = [enrol(trainee, pathway), enrol(other_trainee, pathway), enrol(trainee, literacy)]
    # Alone, a page counts in SQL (one pathway version); a batch of several versions, in memory.
    alone = [progress_for(enrolment) for enrolment in batch]
    together = progress_for_many(batch)

    def seen(progress):
        return [(r.requirement.pk, r.met, r.value, [(e.kind, e.id) for e in r.evidence], r.notes)
                for r in progress.requirements]

    assert [seen(p) for p in together] == [seen(p) for p in alone]
    assert seen(together[0]) != seen(together[1]), "the trainees' evidence must not mix"
    assert any(r.value for r in together[0].requirements if r.provider == CaseEvidenceProvider.name)


def test_the_in_memory_counting_agrees_with_the_sql_counting(pathway, trainee, assigned_trainer):
    _log(trainee, assigned_trainer, 6)
    make_case(trainee, assigned_trainer, role="observer", days=40)
    make_case(trainee, assigned_trainer, role="console_whole", supervision="P", days=41)
    make_case(trainee, assigned_trainer, role="console_part", status="submitted", days=42)
    provider = CaseEvidenceProvider()
    requirements = [r.requirement for r in progress_for(enrol(trainee, pathway)).requirements
                    if r.provider == provider.name]
    assert len(requirements) == 4
    for rules in (rules_for(pathway.pk), LEGACY_RULES):
        measured = provider.measure_batch(work=[(trainee, r) for r in requirements], rules=rules)
        for requirement, measurement in zip(requirements, measured, strict=True):
            sql = list(provider.cases(trainee=trainee, requirement=requirement, rules=rules)
                       .order_by("date", "id").values_list("id", flat=True))
            assert [e.id for e in measurement.evidence] == sql, requirement


def test_a_batch_of_summaries_takes_the_same_queries_for_2_and_6_enrolments(pathway, assigned_trainer, london):
    def enrolments(n):
        made = []
        for _ in range(n):
            trainee = UserFactory(roles=[Role.TRAINEE], region=london)
            assign(assigned_trainer, trainee)
            _log(trainee, assigned_trainer, 2)
            made.append(enrol(trainee, pathway))
        return made

    def refreshed(batch) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert progress_summary.refresh_enrolments(batch) == len(batch)
        return len(queries)

    two, six = enrolments(2), enrolments(6)
    assert refreshed(two) == refreshed(six)
    assert refreshed(six) == refreshed(six)  # again: the snapshots exist now, the writes are updates
    snapshots = ProgressSnapshot.objects.filter(pk__in=[e.pk for e in six])
    assert snapshots.count() == 6 and not snapshots.filter(stale=True).exists()
    assert RequirementSnapshot.objects.filter(snapshot__in=snapshots).count() == 6 * len(
        progress_for(six[0]).requirements)
    assert {s.met_count for s in snapshots} == {progress_for(six[0]).met_count}


def test_evidence_saved_while_a_batch_computes_leaves_its_snapshot_stale(pathway, trainee, other_trainee,
                                                                         assigned_trainer, monkeypatch):
    from curriculum import progress as engine

    first, second = enrol(trainee, pathway), enrol(other_trainee, pathway)
    progress_summary.refresh_enrolments([first, second])
    original = engine.progress_for_many

    def evidence_arrives_meanwhile(enrolments):
        result = original(enrolments)
        progress_summary.mark_stale([trainee.pk])  # another request commits new evidence
        return result

    monkeypatch.setattr(engine, "progress_for_many", evidence_arrives_meanwhile)
    progress_summary.refresh_enrolments([first, second])
    assert ProgressSnapshot.objects.get(pk=first.pk).stale
    assert not ProgressSnapshot.objects.get(pk=second.pk).stale


def test_each_case_is_sent_once_however_many_requirements_it_counts_for(pathway, trainee, assigned_trainer):
    enrolment = enrol(trainee, pathway)
    _log(trainee, assigned_trainer, 10)
    body = token_client(trainee).get(f"/api/v1/enrolments/{enrolment.pk}/progress/").json()
    refs = [(ref["kind"], ref["id"]) for row in body["requirements"] for ref in row["evidence"]]
    sent = [(item["kind"], item["id"]) for item in body["evidence"]]
    assert sorted(set(refs)) == sorted(sent), "every reference names an item sent once, and only those are sent"
    assert len(sent) == len(set(sent))
    # The five console cases count for the step count and for the console hours: referenced twice, sent once.
    console = {(r["component_title"], r["type"]): {ref["id"] for ref in r["evidence"]} for r in body["requirements"]}
    both = console[("Console", "min_count")] & console[("Console", "min_hours")]
    assert len(both) == 5
    assert len(refs) > len(sent)
    assert [item["date"] for item in body["evidence"]] == sorted(item["date"] for item in body["evidence"])
