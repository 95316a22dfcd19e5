"""The assessment release rule (`released_to_trainee`, `hidden_from`) probes the partial
indexes of ratings by case and tool instead of scanning every self-assessment."""

from __future__ import annotations

import pytest
from django.db import connection

from accreditation.signoff.models import Assessment
from accreditation.signoff.selectors import hidden_from, released_to_trainee
from tests.builders.logbook import make_case
from tests.builders.signoff import assess, self_assess

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The test world is a few rows, where a scan is always cheapest: this asks whether
        # the index can serve the probe, which is what the bench world's planner chooses.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_bitmapscan")
    return plan


@pytest.fixture
def rated(trainee, assigned_trainer):
    cases = [make_case(trainee, assigned_trainer, days=d) for d in (9, 8, 7)]
    for case in cases:
        assess(assigned_trainer, trainee, case=case)
    self_assess(trainee, cases[0])
    return cases


def test_the_release_rule_probes_the_self_rating_index(rated, trainee):
    queryset = Assessment.objects.filter(trainee=trainee).filter(released_to_trainee())
    plan = _plan(queryset)
    assert "assessment_self_rating_idx" in plan, plan
    assert "Seq Scan on accreditation_assessment" not in plan, plan
    assert queryset.count() == 1  # the case the trainee rated too


def test_blinding_probes_both_rating_indexes(rated, trainee):
    plan = _plan(Assessment.objects.filter(hidden_from(trainee)))
    assert "assessment_self_rating_idx" in plan, plan
    assert "assessment_trainer_rating_idx" in plan, plan
