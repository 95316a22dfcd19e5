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
