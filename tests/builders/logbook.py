"""Logbook builders: cases made, submitted and validated through the logbook's services
(fixture `case`: a validated case of the trainee, validated by the assigned trainer)."""

from __future__ import annotations

import pytest

from accreditation.logbook import services as logbook
from rastrack.reference.models import Procedure
from tests.builders.curriculum import rarp_step
from tests.builders.dates import days_ago
from tests.builders.people import SiteFactory

# A supervision code each role may carry (the role x code table, semantics.py).
CODE_FOR_ROLE = {"console_part": "S-TS", "console_whole": "S-TS", "bedside_assistant": "A", "observer": "O"}


def make_case(trainee, validator=None, *, status="validated", days=5, role="console_part",
              procedure="rarp", steps=(), platform="davinci_xi", supervision=None):
    """A case of the trainee; submitted, then validated by `validator`, as `status` asks."""
    data = {"date": days_ago(days), "site": SiteFactory(), "platform": platform,
            "procedure": Procedure.objects.get(code=procedure), "role": role,
            "supervision": supervision or CODE_FOR_ROLE[role],
            "console_minutes": 90 if role.startswith("console") else None, "total_minutes": 240}
    case = logbook.case_create(trainee=trainee, actor=trainee, data=data,
                               steps=[logbook.StepEntry(step=rarp_step(s)) for s in steps])
    if status in ("submitted", "validated"):
        logbook.case_submit(case=case, actor=trainee)
    if status == "validated":
        logbook.case_validate(case=case, actor=validator)
    return case


@pytest.fixture(name="case")
def case_fixture(trainee, assigned_trainer):
    return make_case(trainee, assigned_trainer)


def exercise(code="dvss-pick-and-place"):
    """A catalogue exercise (the data migration's)."""
    from accreditation.logbook.models import SimulatorExercise

    return SimulatorExercise.objects.get(code=code)


def at_benchmark(ex, *, better=True) -> dict:
    """Metric values exactly at (or, `better=False`, just beyond) every benchmark of `ex`."""
    values = {}
    for metric in ex.metrics:
        benchmark = float(metric["benchmark"])
        worse = 1 if metric["better"] == "lower" else -1
        values[metric["name"]] = benchmark if better else max(0.0, benchmark + worse)
    return values


def make_session(trainee, *, code="mimic-pick-and-place", passed=True, days=2, score=None, minutes=20,
                 verifier=None):
    """A session of the trainee through the service (self-reported; verified by `verifier`)."""
    ex = exercise(code)
    data = {"date": days_ago(days), "exercise": ex, "metrics": at_benchmark(ex, better=passed),
            "minutes": minutes}
    if ex.pass_rule == "overall_score":
        data["score"] = score if score is not None else (90 if passed else 50)
    elif score is not None:
        data["score"] = score
    session = logbook.simulator_session_create(trainee=trainee, actor=trainee, data=data)
    if verifier is not None:
        session = logbook.simulator_session_verify(session=session, actor=verifier)
    return session


def legacy_session(trainee, *, date, score, minutes=15, verifier=None, exercise_name="Ring walk"):
    """A session typed before the catalogue: a name and a score, no exercise (written directly,
    as the migration left them); verified by `verifier` when given."""
    from django.utils import timezone

    from accreditation.logbook.models import SimulatorSession

    return SimulatorSession.objects.create(
        trainee=trainee, date=date, simulator="davinci_skills", exercise_name=exercise_name, score=score,
        minutes=minutes, provenance="trainer_verified" if verifier else "self_reported",
        verified_by=verifier, verified_at=timezone.now() if verifier else None)
