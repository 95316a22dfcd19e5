"""The case summary kept by the logbook's services (accreditation/logbook/summaries.py): each
write applies its delta in its own transaction, with one statement on the summary (two when
a count may reach zero) and none for a draft."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accreditation.logbook import services as logbook
from accreditation.logbook import summaries
from accreditation.logbook.models import CaseMonthSummary
from rastrack.core.exceptions import ApplicationError
from rastrack.core.months import first_of_month
from rastrack.core.summary_tables import stored
from tests.builders.logbook import make_case

pytestmark = pytest.mark.django_db

TABLE = CaseMonthSummary._meta.db_table


def _summary_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if TABLE in q["sql"]]


def _only_row():
    [(key, sums)] = stored(CaseMonthSummary).items()
    return key, sums


def _exact():
    assert stored(CaseMonthSummary) == summaries.compute_case_summary()


def test_a_draft_costs_no_summary_statement(trainee):
    with CaptureQueriesContext(connection) as queries:
        case = make_case(trainee, status="draft")
    assert _summary_statements(queries) == []
    assert not CaseMonthSummary.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        logbook.case_update(case=case, actor=trainee, data={"platform": "hugo"})
        logbook.case_delete(case=case, actor=trainee)
    assert _summary_statements(queries) == []


def test_submit_withdraw_validate_and_reject_move_the_counts(trainee, assigned_trainer, london):
    case = make_case(trainee, status="draft", days=3, platform="versius")
    with CaptureQueriesContext(connection) as queries:
        logbook.case_submit(case=case, actor=trainee)
    assert len(_summary_statements(queries)) == 1  # the upsert only: nothing can reach zero
    key, sums = _only_row()
    assert key == (london.pk, first_of_month(case.date), "urology", "", "versius")
    assert sums == {"validated": 0, "submitted": 1, "disagreements": 0, "role_corrected": 0,
                    "supervision_corrected": 0, "overlogged": 0}

    with CaptureQueriesContext(connection) as queries:
        logbook.case_withdraw(case=case, actor=trainee)
    assert len(_summary_statements(queries)) == 2  # the upsert, and the row left at zero deleted
    assert not CaseMonthSummary.objects.exists()

    logbook.case_submit(case=case, actor=trainee)
    with CaptureQueriesContext(connection) as queries:
        logbook.case_validate(case=case, actor=assigned_trainer)
    assert len(_summary_statements(queries)) == 2
    assert _only_row()[1]["validated"] == 1 and _only_row()[1]["submitted"] == 0

    other = make_case(trainee, status="submitted", days=3, platform="versius")
    assert _only_row()[1]["submitted"] == 1
    logbook.case_reject(case=other, actor=assigned_trainer, reason="The console time is missing.")
    assert _only_row()[1] == {"validated": 1, "submitted": 0, "disagreements": 0, "role_corrected": 0,
                              "supervision_corrected": 0, "overlogged": 0}
    _exact()


def test_a_correction_counts_its_kind_and_whether_it_was_overlogged(trainee, assigned_trainer):
    case = make_case(trainee, status="submitted", days=2)
    logbook.case_validate(case=case, actor=assigned_trainer, role="observer", supervision="O")
    assert _only_row()[1] == {"validated": 1, "submitted": 0, "disagreements": 1, "role_corrected": 1,
                              "supervision_corrected": 1, "overlogged": 1}
    case = make_case(trainee, status="submitted", days=2)
    logbook.case_validate(case=case, actor=assigned_trainer, role="console_whole")  # supervised either way
    assert _only_row()[1] == {"validated": 2, "submitted": 0, "disagreements": 2, "role_corrected": 2,
                              "supervision_corrected": 1, "overlogged": 1}
    _exact()


def test_a_refused_write_leaves_the_summary_as_it_was(trainee, assigned_trainer):
    case = make_case(trainee, status="submitted", days=2)
    before = stored(CaseMonthSummary)
    with pytest.raises(ApplicationError):
        logbook.case_reject(case=case, actor=assigned_trainer, reason="  ")
    assert stored(CaseMonthSummary) == before


def test_an_imported_case_submitted_at_once_is_counted(trainee, assigned_trainer):
    # Every door (the CSV and eLogbook imports, the API, the pages) goes through these services.
    make_case(trainee, status="submitted", days=1, procedure="right-hemicolectomy", platform="hugo")
    key, sums = _only_row()
    assert key[2:] == ("general", "colorectal", "hugo") and sums["submitted"] == 1


def test_a_trainee_without_a_region_counts_under_region_zero(assigned_trainer):
    from rastrack.accounts.roles import Role
    from tests.builders.faculty import assign
    from tests.builders.people import UserFactory

    nowhere = UserFactory(full_name="Nell Nowhere", roles=[Role.TRAINEE], region=None)
    assign(assigned_trainer, nowhere)
    make_case(nowhere, assigned_trainer, days=1)
    assert _only_row()[0][0] == 0
    _exact()


def test_a_correction_costs_one_query_more_than_an_agreed_validation(trainee, assigned_trainer):
    agreed, corrected = (make_case(trainee, status="submitted", days=2) for _ in range(2))
    logbook.case_validate(case=make_case(trainee, status="submitted", days=2), actor=assigned_trainer)  # warm-up
    with CaptureQueriesContext(connection) as plain:
        logbook.case_validate(case=agreed, actor=assigned_trainer)
    with CaptureQueriesContext(connection) as fixed:
        logbook.case_validate(case=corrected, actor=assigned_trainer, supervision="A")
    # The takeover steps and the trainee's latest counting table, read together.
    assert len(fixed) == len(plain) + 1
    _exact()


def test_a_cohort_move_reclassifies_past_corrections_at_once(admin, trainee, assigned_trainer):
    from accreditation.logbook import counting
    from curriculum import services as curriculum
    from tests.builders.curriculum import make_framework, make_pathway

    first = make_pathway(admin, make_framework(admin))  # counts by the defaults
    curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=first)
    case = make_case(trainee, status="submitted", days=2)
    logbook.case_validate(case=case, actor=assigned_trainer, supervision="A")  # S-TS -> A: over-logged
    assert _only_row()[1]["overlogged"] == 1
    draft = curriculum.pathway_new_version(actor=admin, pathway=first)
    counting.rules_set(actor=admin, pathway=draft, rules=[
        *counting.DEFAULT_RULES, counting.Rule("supervised_console_cases", "console_part", "A")])
    second = curriculum.pathway_publish(actor=admin, pathway=draft)
    assert _only_row()[1]["overlogged"] == 1  # publishing moves nobody
    assert [e.trainee_id for e in curriculum.cohort_move(actor=admin, source=first, target=second)] == [trainee.pk]
    assert _only_row()[1]["overlogged"] == 0  # on the new version A at the console is console work
    _exact()
