"""Certificates' part of `seed_demo` (last): trainee2 completes Robotic literacy, for real.

Chloe Evans (trainee2, London) was enrolled on Robotic literacy 40 days ago by the curriculum
seeder, with a few bedside and observed cases and four simulator sessions from the logbook's.
Here she finishes it, every step through the services, so progress, the audit trail and the
notifications tell the same story as the certificate:

- the five e-learning modules of the pathway, recorded over the last five weeks;
- one more observed case and seven more bedside-assisted cases (Guy's and UCH, validated by
  trainer1, her educational supervisor), reaching the ERUS ten at the bedside;
- six more Mimic dV-Trainer sessions, the last two above the 90 benchmark (5.4 hours in all);
- docking, emergency undocking and closed-loop communication signed off by trainer1;
- the final sign-off, asked for six days ago and approved by trainer1 four days ago: the
  certificate is issued by the listener and the enrolment completes, dated that day.

Idempotent (each item is looked up before it is made; once trainee2 holds a Robotic literacy
certificate nothing more is done); dates relative to today; prints nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accreditation.certificates.models import Certificate
from accreditation.logbook.models import (
    Case,
    CaseRole,
    CaseStatus,
    ComplicationGrade,
    Conversion,
    SimulatorExercise,
    SimulatorSession,
    StepRole,
    Supervision,
)
from accreditation.logbook.services import (
    StepEntry,
    case_create,
    case_submit,
    case_validate,
    simulator_session_create,
)
from accreditation.logbook.simulation import metrics_for_score
from accreditation.logbook.verification import elearning_completion_verify
from accreditation.signoff.models import SignoffRequest, SignoffStatus, SignoffTarget
from accreditation.signoff.services import signoff_request_approve, signoff_request_create
from curriculum.models import (
    Competency,
    Component,
    ComponentKind,
    ELearningCompletion,
    Enrolment,
    EnrolmentStatus,
    Lifecycle,
)
from curriculum.progress import progress_for
from curriculum.services import elearning_record
from rastrack.accounts.models import User
from rastrack.reference.models import Platform, Procedure, ProcedureStep, Site

TRAINEE2 = "trainee2@demo.rastrack.org"
TRAINER1 = "trainer1@demo.rastrack.org"
PATHWAY = "robotic-literacy"

# (component title, days ago, provider)
ELEARNING = [
    ("Platform online training (vendor e-learning)", 38, "Intuitive Learning"),
    ("Principles of robot-assisted surgery", 35, "e-Learning for Healthcare"),
    ("Docking and undocking e-module", 33, "Intuitive Learning"),
    ("Emergency undocking e-module", 30, "Intuitive Learning"),
    ("Human factors in the robotic theatre", 28, "e-Learning for Healthcare"),
]
DOCK, UNDOCK = "Port placement and docking", "Undocking and port closure"
# (reference, days ago, procedure code, site, role)
CASES = [
    ("CE-101", 150, "rarp", "Guy's Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-102", 128, "right-hemicolectomy", "University College Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-103", 104, "rarp", "Guy's Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-104", 82, "rarp", "Guy's Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-105", 61, "right-hemicolectomy", "University College Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-106", 52, "right-hemicolectomy", "University College Hospital", CaseRole.OBSERVER),
    ("CE-107", 37, "rarp", "Guy's Hospital", CaseRole.BEDSIDE_ASSISTANT),
    ("CE-108", 15, "rarp", "Guy's Hospital", CaseRole.BEDSIDE_ASSISTANT),
]
# (days ago, exercise code, score, minutes)
SIMULATOR = [
    (36, "mimic-ring-and-rail-1", "78.5", 35), (31, "mimic-peg-board-1", "83.0", 35),
    (26, "mimic-pick-and-place", "86.5", 35), (21, "mimic-ring-and-rail-1", "88.0", 35),
    (16, "mimic-peg-board-1", "91.5", 35), (10, "mimic-pick-and-place", "93.0", 35),
]
# (competency key, requested days ago, decided days ago, evidence case references, note, feedback)
SIGNOFFS = [
    ("docking", 26, 24, ["CE-104", "CE-107"], "Docked the Xi at the bedside on my last cases, and in the dry lab.",
     "Docks safely in about nine minutes, with clear communication with the console surgeon."),
    ("emergency-undocking", 20, 18, [], "Led the emergency undocking drill with the theatre team in the skills lab.",
     "Calm and quick: the team had the patient clear of the robot in under a minute."),
    ("closed-loop-communication", 14, 12, ["CE-106", "CE-108"],
     "Observed and assisted cases where I confirmed every instruction from the console.",
     "Consistently repeats back instructions and confirms instrument exchanges."),
]
FINAL_REQUESTED, FINAL_DECIDED = 6, 4


def _at(today: datetime.date, days_ago: int, hour: int) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _competency(key: str) -> Competency | None:
    return (Competency.objects.filter(key=key, framework__status=Lifecycle.PUBLISHED)
            .order_by("-framework__version").first())


def _elearning(trainee: User, trainer: User, enrolment: Enrolment, today: datetime.date) -> None:
    for title, days_ago, provider in ELEARNING:
        component = Component.objects.filter(module__pathway=enrolment.pathway, kind=ComponentKind.E_LEARNING,
                                             title=title).first()
        if component is None or ELearningCompletion.objects.filter(
                trainee=trainee, component__key=component.key).exists():
            continue
        completion = elearning_record(trainee=trainee, component=component, provider=provider,
                                      completed_on=today - datetime.timedelta(days=days_ago))
        # Only verified e-learning counts on the pathway: trainer1 checked each certificate.
        elearning_completion_verify(completion=completion, actor=trainer)


def _cases(trainee: User, trainer: User, today: datetime.date) -> None:
    for reference, days_ago, code, site_name, role in CASES:
        if Case.objects.filter(trainee=trainee, case_reference=reference).exists():
            continue
        procedure = Procedure.objects.get(code=code)
        steps = {s.name: s for s in ProcedureStep.objects.filter(procedure=procedure)}
        observer = role == CaseRole.OBSERVER
        wanted = [(DOCK, StepRole.OBSERVED if observer else StepRole.BEDSIDE),
                  (UNDOCK, StepRole.OBSERVED if observer else StepRole.BEDSIDE)]
        case = case_create(trainee=trainee, actor=trainee, data={
            "date": today - datetime.timedelta(days=days_ago), "site": Site.objects.get(name=site_name),
            "platform": Platform.DAVINCI_XI, "procedure": procedure, "role": role,
            "supervision": Supervision.O if observer else Supervision.A, "console_minutes": None,
            "docking_minutes": 9 if not observer else 11, "total_minutes": 195 if code == "rarp" else 165,
            "conversion": Conversion.NONE, "complication_grade": ComplicationGrade.NONE, "supervisor": trainer,
            "supervisor_name": "", "case_reference": reference, "notes": "",
        }, steps=[StepEntry(step=steps[name], role=step_role) for name, step_role in wanted if name in steps])
        case = case_submit(case=case, actor=trainee)
        case_validate(case=case, actor=trainer)


def _simulator(trainee: User, today: datetime.date) -> None:
    exercises = {e.code: e for e in SimulatorExercise.objects.filter(code__in={row[1] for row in SIMULATOR})}
    for days_ago, code, score, minutes in SIMULATOR:
        date = today - datetime.timedelta(days=days_ago)
        exercise = exercises[code]
        if SimulatorSession.objects.filter(trainee=trainee, date=date, exercise=exercise).exists():
            continue
        simulator_session_create(trainee=trainee, actor=trainee, data={
            "date": date, "exercise": exercise, "score": Decimal(score), "minutes": minutes,
            "metrics": metrics_for_score(exercise, float(score))})


def _signoffs(trainee: User, trainer: User, today: datetime.date) -> None:
    for key, asked, decided, references, note, feedback in SIGNOFFS:
        competency = _competency(key)
        if competency is None or SignoffRequest.objects.filter(
                trainee=trainee, target_key=f"competency:{key}").exists():
            continue
        evidence = list(Case.objects.filter(trainee=trainee, case_reference__in=references,
                                            status=CaseStatus.VALIDATED).values_list("pk", flat=True))
        request = signoff_request_create(trainee=trainee, trainer=trainer, competency=competency.pk,
                                         evidence_cases=evidence, note=note, now=_at(today, asked, 9))
        signoff_request_approve(request=request, actor=trainer, feedback=feedback, now=_at(today, decided, 17))


def _final(trainee: User, trainer: User, enrolment: Enrolment, today: datetime.date) -> None:
    request = SignoffRequest.objects.filter(trainee=trainee, target=SignoffTarget.FINAL, enrolment=enrolment,
                                            status__in=[SignoffStatus.PENDING, SignoffStatus.APPROVED]).first()
    if request is None:
        if not progress_for(enrolment).all_met_except_final():
            return  # someone changed the pathway or the evidence by hand: leave their world alone
        request = signoff_request_create(
            trainee=trainee, trainer=trainer, enrolment=enrolment.pk, now=_at(today, FINAL_REQUESTED, 9),
            note="Every module of Robotic literacy is done: e-learning, simulator benchmark, ten bedside cases "
                 "and the three sign-offs.")
    if request.status == SignoffStatus.PENDING:
        signoff_request_approve(request=request, actor=trainer, now=_at(today, FINAL_DECIDED, 16),
                                feedback="Ready for console training. Well done.")


@transaction.atomic
def seed() -> None:
    trainee = User.objects.filter(email=TRAINEE2).first()
    trainer = User.objects.filter(email=TRAINER1).first()
    if trainee is None or trainer is None:
        return
    if Certificate.objects.filter(trainee=trainee, pathway__code=PATHWAY).exists():
        return
    enrolment = (Enrolment.objects.select_related("pathway")
                 .filter(trainee=trainee, pathway__code=PATHWAY, status=EnrolmentStatus.ACTIVE)
                 .order_by("enrolled_on", "id").first())
    if enrolment is None:
        return
    today = timezone.localdate()
    _elearning(trainee, trainer, enrolment, today)
    _cases(trainee, trainer, today)
    _simulator(trainee, today)
    _signoffs(trainee, trainer, today)
    _final(trainee, trainer, enrolment, today)
