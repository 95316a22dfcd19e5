"""CompiledQuery: the SQL compiled once answers exactly what the queryset answers, for any
values, on SQLite and PostgreSQL (the suite runs on both), from any thread."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.faculty import eligibility
from accreditation.faculty.models import AssignmentKind
from accreditation.logbook.api import _STEPS
from rastrack.accounts.models import ApiToken
from rastrack.accounts.roles import Role
from rastrack.accounts.tokens import _TOKEN_WITH_ROLES, token_digest, token_issue
from rastrack.core.compiled import CompiledQuery, Ids, prepared_cursor
from rastrack.reference.models import Procedure, ProcedureStep
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.people import UserFactory


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def trainers(london, trainee):
    """Three trainers of the trainee: an educational supervisor accredited for the Xi only,
    a clinical supervisor for every platform, and one whose assignment ended yesterday."""
    es = UserFactory(full_name="Esme Educational", roles=[Role.TRAINER], region=london)
    accredit(es, platforms=["davinci_xi"])
    assign(es, trainee)
    cs = UserFactory(full_name="Cal Clinical", roles=[Role.TRAINER], region=london)
    accredit(cs)
    assign(cs, trainee, kind=AssignmentKind.CLINICAL_SUPERVISOR, starts_on=days_ago(30))
    gone = UserFactory(full_name="Gil Gone", roles=[Role.TRAINER], region=london)
    accredit(gone)
    assign(gone, trainee, kind=AssignmentKind.CLINICAL_SUPERVISOR, starts_on=days_ago(200), ends_on=days_ago(1))
    return es, cs, gone


@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["davinci_xi", "davinci_5", "hugo", "versius"])
@pytest.mark.parametrize("days", [0, 1, 2, 25, 31, 190, 400])
def test_the_validator_rule_compiled_answers_as_the_queryset(trainee, trainers, platform, days):
    on = days_ago(days)
    expected = list(eligibility._platform_trainer_assignments(trainee=trainee.pk, on=on, platform=platform))
    got = eligibility._PLATFORM_TRAINER.all(trainee=trainee.pk, on=on, platform=platform)
    assert [_fields(a) for a in got] == [_fields(a) for a in expected]
    assert [_fields(a.trainer) for a in got] == [_fields(a.trainer) for a in expected]


@pytest.mark.django_db
def test_the_compiled_rule_changes_its_answer_with_the_data_and_the_day(trainee, trainers):
    es, cs, gone = trainers
    assert eligibility.platform_trainer_of(trainee, platform="davinci_xi") == es  # the educational supervisor first
    assert eligibility.platform_trainer_of(trainee, platform="versius") == cs     # the one accredited for it
    assert eligibility.platform_trainer_of(trainee, platform="versius", on=days_ago(60)) == gone  # before cs began
    es.accreditation.platforms = ["versius"]
    es.accreditation.save()
    assert eligibility.platform_trainer_of(trainee, platform="davinci_xi") == cs  # read afresh, not remembered
    assert eligibility.platform_trainer_of(trainee, platform="versius") == es


@pytest.mark.django_db
def test_the_token_compiled_comes_with_its_user_and_roles(trainee, assigned_trainer):
    key = token_issue(assigned_trainer)
    token = _TOKEN_WITH_ROLES.first(digest=token_digest(key))
    plain = ApiToken.objects.select_related("user").get(digest=token_digest(key))
    assert _fields(token) == _fields(plain) and _fields(token.user) == _fields(plain.user)
    assert token.user._state.db == "default" and not token.user._state.adding
    assert token.holds_trainer is True and token.holds_trainee is False
    assert _TOKEN_WITH_ROLES.first(digest=token_digest("no such key")) is None


@pytest.mark.django_db
def test_a_sequence_of_ids_compiles_once_per_length():
    rarp = Procedure.objects.get(code="rarp")
    ids = list(ProcedureStep.objects.filter(procedure=rarp).order_by("order").values_list("pk", flat=True))
    for chosen in (ids[:1], ids[:3], [ids[4], ids[2], ids[0]], ids[:3] + [999_999]):
        got = {step.pk: step for step in _STEPS.all(ids=chosen)}
        expected = ProcedureStep.objects.select_related("procedure").in_bulk(chosen)
        assert {pk: _fields(s) for pk, s in got.items()} == {pk: _fields(s) for pk, s in expected.items()}
        assert all(s.procedure == rarp for s in got.values())  # select_related, populated
    with pytest.raises(ValueError, match="non-empty"):
        _STEPS.all(ids=[])


@pytest.mark.django_db
def test_one_query_per_call_and_none_to_compile_again(trainee, trainers):
    eligibility.platform_trainer_of(trainee, platform="davinci_xi")
    with CaptureQueriesContext(connection) as ctx:
        eligibility.platform_trainer_of(trainee, platform="davinci_xi")
        eligibility.platform_trainer_of(trainee, platform="davinci_xi", on=days_ago(60))
    assert len(ctx.captured_queries) == 2


@pytest.mark.django_db
def test_a_stand_in_that_the_sql_does_not_take_is_refused():
    pattern = CompiledQuery(lambda name: ProcedureStep.objects.filter(name__icontains=name),
                            stand_ins={"name": "stand-in"})
    with pytest.raises(ValueError, match="put them in the shape"):
        pattern.all(name="dock")  # the ORM wraps it as a LIKE pattern: it belongs in the shape
    shaped = CompiledQuery(lambda name: ProcedureStep.objects.filter(name__icontains=name), stand_ins={},
                           shape=("name",))
    assert {s.pk for s in shaped.all(name="dock")} == set(
        ProcedureStep.objects.filter(name__icontains="dock").values_list("pk", flat=True))


@pytest.mark.django_db
def test_another_time_zone_compiles_its_own_sql(trainee, london):
    """`ended_at__date` is taken in the current time zone: the SQL of one zone is not reused
    in another."""
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer)
    today = timezone.localdate()
    assignment = assign(trainer, trainee, kind=AssignmentKind.CLINICAL_SUPERVISOR, ends_on=today)
    # Its end recorded at 23:30 UTC on its last day: that day in UTC (so the day no longer
    # counts), already the next day in Auckland (so it still does).
    assignment.ended_at = datetime.datetime.combine(today, datetime.time(23, 30), tzinfo=datetime.UTC)
    assignment.save()
    for zone in ("UTC", "Pacific/Auckland", "UTC"):
        with timezone.override(zone):
            expected = list(eligibility._platform_trainer_assignments(trainee=trainee.pk, on=today,
                                                                        platform="davinci_xi"))
            got = eligibility._PLATFORM_TRAINER.all(trainee=trainee.pk, on=today, platform="davinci_xi")
            assert [a.pk for a in got] == [a.pk for a in expected]
    with timezone.override("UTC"):
        assert eligibility._PLATFORM_TRAINER.all(trainee=trainee.pk, on=today, platform="davinci_xi") == []
    with timezone.override("Pacific/Auckland"):
        assert [a.pk for a in eligibility._PLATFORM_TRAINER.all(trainee=trainee.pk, on=today,
                                                                 platform="davinci_xi")] == [assignment.pk]


@pytest.mark.django_db(transaction=True)
def test_a_plan_compiled_in_one_thread_runs_in_another(trainee, trainers):
    """Gunicorn's threads share the plans: each must run on its own thread's connection."""
    es = trainers[0]
    assert eligibility.platform_trainer_of(trainee, platform="davinci_xi") == es  # compiled here
    answers, errors = [], []

    def other_thread():
        try:
            answers.append(eligibility.platform_trainer_of(trainee, platform="davinci_xi"))
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert errors == [] and answers == [es]


def test_ids_stand_in_for_each_position():
    assert Ids(-10).stand_in(3) == (-10, -11, -12)


def _prepared_on(conn) -> list[str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("threshold", "prepared_after"), [(5, 6), (0, 1), (None, None)])
def test_a_prepared_cursor_is_planned_once_per_connection_unless_pooled(threshold, prepared_after):
    """Values bound by the server keep the text the same, so psycopg prepares it after the
    connection's threshold; behind PgBouncer (threshold None) it never does."""
    conn = connections.create_connection("default")
    conn.settings_dict = {**conn.settings_dict,
                          "OPTIONS": {**conn.settings_dict.get("OPTIONS", {}), "prepare_threshold": threshold}}
    sql = "SELECT %s::int + 1 WHERE %s = %s"
    try:
        for run in range(1, 9):
            with prepared_cursor(conn) as cursor:
                cursor.execute(sql, [run, "same", "same"])
                assert cursor.fetchall() == [(run + 1,)]
            prepared = [s for s in _prepared_on(conn) if "::int + 1 WHERE $2 = $3" in s]
            assert len(prepared) == (1 if prepared_after is not None and run >= prepared_after else 0), run
    finally:
        conn.close()


@pytest.mark.django_db
def test_a_prepared_cursor_is_logged_and_answers_on_every_database():
    """Prepared or not (on PostgreSQL, from the sixth run), each statement is in Django's log
    with its text: the tests' query counts and the debug log read it."""
    with CaptureQueriesContext(connection) as ctx:
        for run in range(8):
            with prepared_cursor(connection) as cursor:
                cursor.execute("SELECT %s + 0 WHERE %s = %s", [run, "logged", "logged"])
                assert [tuple(row) for row in cursor.fetchall()] == [(run,)]
    assert len(ctx.captured_queries) == 8
    assert all("+ 0 WHERE" in query["sql"] for query in ctx.captured_queries)
