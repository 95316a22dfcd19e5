"""The logbook's part of `seed_demo`: a believable logbook for each demo trainee.

- trainee1 (Sam Patel, London): about 60 cases over the last 18 months, robot-assisted
  radical prostatectomy and robotic right hemicolectomy. Console time falls along an
  exponential learning curve with noise (RARP from about 240 towards 140 minutes), docking
  from about 20 towards 7 minutes (the Xi plateaus near 7 minutes after ~18 cases in
  published series), part-case console work early and whole cases later, supervision from S-TS
  towards S-TU and P, and more of the procedure's steps done at the console as time goes on.
  Times agree with each other: a part case's console time is the sum of its steps' own minutes
  (a step the trainer took over has none), a whole case's falls from about 240 minutes over its
  first few whole cases (the whole-case curve's learning phase), and the total operative time
  is always the operation's console time plus docking plus 30-55 minutes. Every case gives the
  trainer's position consistent with role and code, an ASA grade and urgency; the cases with a
  complication have their 30-day outcome added after validation.
  Most cases are validated by trainer1 (a few by trainer2, his clinical supervisor, who
  supervised them), trainer1 correcting the supervision code on a few (disagreements); the
  8 most recent before the last two are submitted and wait for trainer1, one is rejected
  with a reason, the last two are drafts. Fifteen simulator sessions with rising scores, some
  verified by trainer1: proficient in Energy Switching 1, one attempt away in Suture Sponge 1.
- trainee2 (Chloe Evans, London): bedside assisting, observing and two part-cases at the
  console; four self-reported simulator sessions and three imported from a simulator export.
- trainee3 (Daniel Osei, North West): a few cases validated by the North West trainer.

Everything goes through the services (`case_create`, `case_submit`, `case_validate`,
`case_reject`, `simulator_session_create`, `simulator_session_verify`), so the demo has its
audit trail and notifications. Those services stamp `submitted_at` / `decided_at` with the
time of seeding; the seeder then moves those two timestamps (and nothing else) on the Case
rows to the evening after each case and a few days later, with a queryset `update()`, so
the validation queue's order and the turnaround figures look like real use. Audit entries
keep the time they were written: the trail is append-only and is never rewritten.

Idempotent per trainee (a trainee who has cases, or simulator sessions, is left alone);
deterministic (`random.Random(42)` and fixed seeds for the others); dates relative to the
day of the run, all after the faculty's assignments begin (two years ago) and before today.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accreditation.logbook.models import (
    Case,
    CaseRole,
    CaseStatus,
    ComplicationGrade,
    Conversion,
    SimulatorExercise,
    SimulatorImportFile,
    SimulatorSession,
    StepRole,
    Supervision,
    TrainerPosition,
    Urgency,
)
from accreditation.logbook.services import (
    StepEntry,
    case_create,
    case_outcome_add,
    case_reject,
    case_submit,
    case_validate,
    simulator_session_create,
    simulator_session_verify,
)
from accreditation.logbook.simulation import metrics_for_score
from accreditation.logbook.simulator_import import simulator_import
from rastrack.accounts.models import User
from rastrack.reference.models import Platform, Procedure, ProcedureStep, Site

TRAINEE1 = "trainee1@demo.rastrack.org"
TRAINEE2 = "trainee2@demo.rastrack.org"
TRAINEE3 = "trainee3@demo.rastrack.org"
TRAINER1 = "trainer1@demo.rastrack.org"
TRAINER2 = "trainer2@demo.rastrack.org"
TRAINER_NW = "trainer.northwest@demo.rastrack.org"

DOCK = "Port placement and docking"
UNDOCK = "Undocking and port closure"

# The console steps in the order trainees are usually given them (ERUS modular training for
# RARP: the easier steps first, the apex and the anastomosis last).
CONSOLE_STEPS = {
    "rarp": ["Bladder detachment", "Endopelvic fascia incision", "Bladder neck dissection",
             "Vasa and seminal vesicles dissection", "Posterior plane dissection", "Lateral pedicles",
             "Santorini plexus control", "Neurovascular bundle preservation", "Apical dissection",
             "Urethrovesical anastomosis"],
    "right-hemicolectomy": ["Medial-to-lateral mobilisation", "Hepatic flexure mobilisation",
                            "Ileocolic pedicle ligation", "Mesenteric defect closure",
                            "Intracorporeal anastomosis"],
    "cholecystectomy": ["Calot's triangle dissection", "Critical view of safety",
                        "Cystic duct and artery division", "Gallbladder dissection from the liver bed"],
    "inguinal-hernia": ["Peritoneal flap creation", "Hernia sac reduction", "Myopectineal orifice dissection",
                        "Mesh placement", "Peritoneal flap closure"],
}

# (plateau, extra minutes at the first console case, cases for the excess to fall by e)
CONSOLE_CURVE = {"rarp": (140, 100, 9.0), "right-hemicolectomy": (105, 80, 8.0)}

NOTES = [
    "Large median lobe made the bladder neck harder.",
    "Narrow pelvis; slow posterior dissection.",
    "Good view throughout; trainer took over for the apex.",
    "Adhesions from previous surgery.",
    "Smooth case; discussed port placement afterwards.",
    "Bleeding from the Santorini plexus controlled with a stitch.",
]

REJECTION = ("I took over for part of this case, so not every step listed was yours. "
             "Please correct the steps and submit it again.")

UNREGISTERED_CONSULTANT = "Mr A. Mensah (visiting consultant)"


@dataclass
class _Planned:
    days_ago: int
    procedure: str
    data: dict
    steps: list[tuple]  # (step name, step role[, taken over, the step's console minutes])
    status: str = CaseStatus.VALIDATED
    validator: User | None = None
    corrected_supervision: str | None = None
    corrected_position: str | None = None
    outcome: dict | None = None  # a 30-day follow-up added after validation


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _steps(procedure: Procedure) -> dict[str, ProcedureStep]:
    return {step.name: step for step in ProcedureStep.objects.filter(procedure=procedure)}


def _site(name: str) -> Site:
    return Site.objects.get(name=name)


def _evening_after(day: datetime.date, hours: int = 19) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                         datetime.time(hours, 15)))


def _log(trainee: User, plan: _Planned, today: datetime.date, rng: random.Random) -> Case:
    """Create the case through the services and take it through its workflow."""
    procedure = plan.data["procedure"]
    by_name = _steps(procedure)
    steps = [StepEntry(by_name[entry[0]], *entry[1:]) for entry in plan.steps]
    date = today - datetime.timedelta(days=plan.days_ago)
    case = case_create(trainee=trainee, actor=trainee, data={**plan.data, "date": date}, steps=steps)
    if plan.status == CaseStatus.DRAFT:
        return case
    case = case_submit(case=case, actor=trainee)
    now = timezone.now()
    submitted_at = min(_evening_after(date), now - datetime.timedelta(hours=2))
    decided_at = None
    if plan.status == CaseStatus.VALIDATED:
        case = case_validate(case=case, actor=plan.validator or case.validator,
                             supervision=plan.corrected_supervision, trainer_position=plan.corrected_position)
        if plan.outcome:
            case_outcome_add(case=case, actor=trainee, data={"followup_days": 30, **plan.outcome})
    elif plan.status == CaseStatus.REJECTED:
        case = case_reject(case=case, actor=plan.validator or case.validator, reason=REJECTION)
    if plan.status in (CaseStatus.VALIDATED, CaseStatus.REJECTED):
        decided_at = min(submitted_at + datetime.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 5)),
                         now - datetime.timedelta(hours=1))
    Case.objects.filter(pk=case.pk).unaudited_update(
        "demo history: backdate the timestamps", submitted_at=submitted_at,
        decided_at=decided_at or case.decided_at)
    return case


def _console_minutes(code: str, console_case: int, rng: random.Random, *, scale: float | None = None,
                     noise: float = 11) -> int:
    """A whole case's console time: falling from plateau + excess towards the plateau."""
    plateau, excess, default_scale = CONSOLE_CURVE[code]
    minutes = plateau + excess * math.exp(-(console_case - 1) / (scale or default_scale)) + rng.gauss(0, noise)
    return max(45, round(minutes))


# A console step's own time for a trainee new to it (minutes), falling a third with practice.
STEP_MINUTES = {"rarp": 16, "right-hemicolectomy": 14}


def _step_minutes(code: str, console_case: int, rng: random.Random) -> int:
    base = STEP_MINUTES[code]
    return max(6, round(base * (1 + 0.5 * math.exp(-(console_case - 1) / 6)) + rng.gauss(0, 1.5)))


def _trainee1_plan(today: datetime.date, rng: random.Random) -> list[_Planned]:
    trainer1, trainer2 = _user(TRAINER1), _user(TRAINER2)
    procedures = {code: Procedure.objects.get(code=code) for code in ("rarp", "right-hemicolectomy")}
    guys, uch, marys = (_site("Guy's Hospital"), _site("University College Hospital"),
                        _site("St Mary's Hospital"))
    count = 60
    order = ["rarp"] * 36 + ["right-hemicolectomy"] * 24
    rng.shuffle(order)
    # Evenly over 18 months (540 days ago to 2 days ago), a little jitter, oldest first.
    offsets = sorted((max(2, 540 - round(i * 538 / (count - 1)) + rng.randint(-2, 2)) for i in range(count)),
                     reverse=True)
    seen = {"rarp": 0, "right-hemicolectomy": 0}
    console_seen = {"rarp": 0, "right-hemicolectomy": 0}
    whole_seen = {"rarp": 0, "right-hemicolectomy": 0}
    bedside_first = {"rarp": 2, "right-hemicolectomy": 1}
    part_until = {"rarp": 14, "right-hemicolectomy": 8}
    plans = []
    for index, (code, days_ago) in enumerate(zip(order, offsets, strict=True)):
        seen[code] += 1
        k = seen[code]
        docked = 7 + 13 * math.exp(-index / 6) + rng.gauss(0, 1.2)
        data = {
            "site": rng.choices([guys, uch, marys], weights=[6, 3, 1])[0],
            "platform": Platform.DAVINCI_X if rng.random() < 0.08 else Platform.DAVINCI_XI,
            "procedure": procedures[code],
            "docking_minutes": min(29, max(4, round(docked))),
            "conversion": Conversion.NONE,
            "complication_grade": rng.choices(
                [ComplicationGrade.NONE, ComplicationGrade.I, ComplicationGrade.II], weights=[14, 2, 1])[0],
            "supervisor": trainer1,
            "supervisor_name": "",
            "case_reference": f"{'RARP' if code == 'rarp' else 'RHC'}-{k:03d}",
            "notes": rng.choice(NOTES) if code == "rarp" and rng.random() < 0.3 else "",
        }
        if k <= bedside_first[code]:
            data.update(role=CaseRole.BEDSIDE_ASSISTANT, supervision=Supervision.A, console_minutes=None,
                        trainer_position=TrainerPosition.OPERATING_CONSOLE)
            steps = [(DOCK, StepRole.BEDSIDE), (UNDOCK, StepRole.BEDSIDE)]
            console_total = 150 + rng.randint(0, 60) if code == "rarp" else 110 + rng.randint(0, 40)
        else:
            console_seen[code] += 1
            c = console_seen[code]
            whole = k > part_until[code]
            share = 0.35 if code == "rarp" else 0.3
            done = min(len(CONSOLE_STEPS[code]), 2 + int(c * share))
            # The whole operation's console time (trainer and trainee together).
            console_total = _console_minutes(code, c, rng)
            if whole:
                # The trainee's first whole cases are slow, then settle: a learning phase.
                whole_seen[code] += 1
                minutes = _console_minutes(code, whole_seen[code], rng, scale=4.0, noise=6)
                console_total = minutes
                steps = [(DOCK, StepRole.BEDSIDE)] + [(name, StepRole.CONSOLE) for name in CONSOLE_STEPS[code]]
                steps.append((UNDOCK, StepRole.BEDSIDE))
            else:
                # A part case: the trainee's own console time is the sum of their steps' minutes;
                # now and then the trainer takes the last step over (its time is the trainer's).
                taken_over = done > 2 and rng.random() < 0.2
                steps = [(DOCK, StepRole.BEDSIDE)]
                minutes = 0
                for i, name in enumerate(CONSOLE_STEPS[code][:done]):
                    if taken_over and i == done - 1:
                        steps.append((name, StepRole.CONSOLE, True, None))
                    else:
                        step_minutes = _step_minutes(code, c, rng)
                        minutes += step_minutes
                        steps.append((name, StepRole.CONSOLE, False, step_minutes))
            data.update(role=CaseRole.CONSOLE_WHOLE if whole else CaseRole.CONSOLE_PART, console_minutes=minutes)
            fraction = index / count
            data["supervision"] = (Supervision.S_TS if not whole or fraction < 0.45
                                   else Supervision.S_TU if fraction < 0.8 else Supervision.P)
            data["trainer_position"] = {
                Supervision.S_TS: TrainerPosition.DUAL_CONSOLE if not whole else TrainerPosition.BESIDE_CONSOLE,
                Supervision.S_TU: TrainerPosition.BESIDE_CONSOLE, Supervision.P: TrainerPosition.ABSENT,
            }[data["supervision"]]
        data["asa_grade"] = rng.choices([1, 2, 3], weights=[3, 6, 2])[0]
        data["urgency"] = Urgency.ELECTIVE if rng.random() < 0.95 else Urgency.URGENT
        data["total_minutes"] = console_total + data["docking_minutes"] + rng.randint(30, 55)
        plans.append(_Planned(days_ago=days_ago, procedure=code, data=data, steps=steps))

    # Who supervised: trainer2 (his colorectal clinical supervisor for the last year) on a
    # few recent hemicolectomies; a visiting consultant who is not registered on a few more.
    validated = plans[:-11]  # the last 11: rejected, 8 submitted, 2 drafts
    hemis = [p for p in validated if p.procedure == "right-hemicolectomy" and 40 < p.days_ago < 330]
    for plan in hemis[-4:]:
        plan.data["supervisor"] = trainer2
        plan.validator = trainer2
    for plan in rng.sample([p for p in validated if p.validator is None], 3):
        plan.data.update(supervisor=None, supervisor_name=UNREGISTERED_CONSULTANT)
    # One hemicolectomy converted to laparoscopy.
    if hemis:
        hemis[0].data["conversion"] = Conversion.LAPAROSCOPIC

    # Disagreements: trainer1 records more supervision than the trainee logged on a few.
    corrections = {Supervision.S_TU: Supervision.S_TS, Supervision.P: Supervision.S_TU}
    candidates = [p for p in validated if p.validator is None and p.data["supervisor"] is not None
                  and p.data["supervision"] in corrections]
    for plan in rng.sample(candidates, min(4, len(candidates))):
        plan.corrected_supervision = corrections[plan.data["supervision"]]
        if plan.data["supervision"] == Supervision.P:  # the trainer was in theatre after all
            plan.corrected_position = TrainerPosition.IN_ROOM_UNSCRUBBED
    # 30-day follow-up on the cases with a complication, added after validation.
    for plan in validated:
        if plan.data["complication_grade"] != ComplicationGrade.NONE:
            plan.outcome = {"complication_grade": plan.data["complication_grade"], "readmitted": False,
                            "length_of_stay_days": 2 if plan.procedure == "rarp" else 5, "conversion_confirmed": True}

    plans[-11].status = CaseStatus.REJECTED
    for plan in plans[-10:-2]:
        plan.status = CaseStatus.SUBMITTED
    for plan in plans[-2:]:
        plan.status = CaseStatus.DRAFT
    # The drafts: the last two lists, not yet submitted.
    plans[-2].days_ago, plans[-1].days_ago = 2, 1
    return plans


def _trainee2_plan() -> list[_Planned]:
    trainer1 = _user(TRAINER1)
    rarp, hemi = Procedure.objects.get(code="rarp"), Procedure.objects.get(code="right-hemicolectomy")
    guys, uch = _site("Guy's Hospital"), _site("University College Hospital")
    base = {"platform": Platform.DAVINCI_XI, "conversion": Conversion.NONE,
            "complication_grade": ComplicationGrade.NONE, "supervisor": trainer1, "supervisor_name": "",
            "notes": "", "console_minutes": None}
    bedside = [(DOCK, StepRole.BEDSIDE), (UNDOCK, StepRole.BEDSIDE)]
    observed = [(name, StepRole.OBSERVED) for name in CONSOLE_STEPS["right-hemicolectomy"][:3]]
    rows = [
        (290, rarp, guys, CaseRole.BEDSIDE_ASSISTANT, Supervision.A, None, 19, 205, bedside),
        (262, hemi, uch, CaseRole.OBSERVER, Supervision.O, None, 16, 170, observed),
        (231, rarp, guys, CaseRole.BEDSIDE_ASSISTANT, Supervision.A, None, 15, 198, bedside),
        (197, hemi, uch, CaseRole.OBSERVER, Supervision.O, None, 14, 162, observed),
        (160, rarp, guys, CaseRole.BEDSIDE_ASSISTANT, Supervision.A, None, 12, 190, bedside),
        (98, rarp, guys, CaseRole.CONSOLE_PART, Supervision.S_TS, 42, 11, 215,
         [(DOCK, StepRole.BEDSIDE), ("Bladder detachment", StepRole.CONSOLE)]),
        (23, rarp, guys, CaseRole.CONSOLE_PART, Supervision.S_TS, 48, 10, 208,
         [(DOCK, StepRole.BEDSIDE), ("Bladder detachment", StepRole.CONSOLE),
          ("Endopelvic fascia incision", StepRole.CONSOLE)]),
    ]
    plans = []
    for n, (days_ago, procedure, site, role, supervision, console, docking, total, steps) in enumerate(rows, 1):
        data = {**base, "procedure": procedure, "site": site, "role": role, "supervision": supervision,
                "console_minutes": console, "docking_minutes": docking, "total_minutes": total,
                "case_reference": f"CE-{n:03d}"}
        plans.append(_Planned(days_ago=days_ago, procedure=procedure.code, data=data, steps=steps))
    plans[-1].status = CaseStatus.SUBMITTED
    return plans


def _trainee3_plan() -> list[_Planned]:
    trainer = _user(TRAINER_NW)
    chole, hernia = Procedure.objects.get(code="cholecystectomy"), Procedure.objects.get(code="inguinal-hernia")
    christie, salford = _site("The Christie"), _site("Salford Royal Hospital")
    rows = [
        (400, hernia, salford, CaseRole.CONSOLE_PART, Supervision.S_TS, 38, 14, 95, 2),
        (330, chole, salford, CaseRole.CONSOLE_PART, Supervision.S_TS, 41, 12, 88, 2),
        (250, hernia, salford, CaseRole.CONSOLE_WHOLE, Supervision.S_TS, 64, 10, 92, 5),
        (180, chole, christie, CaseRole.CONSOLE_WHOLE, Supervision.S_TU, 52, 9, 80, 4),
        (75, hernia, salford, CaseRole.CONSOLE_WHOLE, Supervision.S_TU, 55, 8, 78, 5),
    ]
    plans = []
    for n, (days_ago, procedure, site, role, supervision, console, docking, total, done) in enumerate(rows, 1):
        steps = [(DOCK, StepRole.BEDSIDE)] + [(name, StepRole.CONSOLE)
                                              for name in CONSOLE_STEPS[procedure.code][:done]]
        data = {"procedure": procedure, "site": site, "platform": Platform.HUGO, "role": role,
                "supervision": supervision, "console_minutes": console, "docking_minutes": docking,
                "total_minutes": total, "conversion": Conversion.NONE,
                "complication_grade": ComplicationGrade.NONE, "supervisor": trainer, "supervisor_name": "",
                "case_reference": f"DO-{n:03d}", "notes": ""}
        plans.append(_Planned(days_ago=days_ago, procedure=procedure.code, data=data, steps=steps))
    return plans


# trainee1's fifteen sessions on the da Vinci Skills Simulator, oldest first: (exercise code,
# overall score, verified by trainer1). Energy Switching 1 reaches proficiency (two verified
# passes in a row); Suture Sponge 1 passed, failed, passed: one attempt away. The rest are
# self-reported, some waiting for verification.
TRAINEE1_SESSIONS = [
    ("dvss-ring-walk-3", 58, False), ("dvss-energy-switching-1", 62, False), ("dvss-suture-sponge-1", 60, True),
    ("dvss-camera-targeting-2", 66, False), ("dvss-peg-board-2", 70, False),
    ("dvss-energy-switching-1", 74, True), ("dvss-suture-sponge-1", 72, False), ("dvss-ring-walk-3", 79, False),
    ("dvss-energy-switching-1", 84, True), ("dvss-suture-sponge-1", 83, True),
    ("dvss-thread-the-rings", 81, False), ("dvss-energy-switching-1", 88, True),
    ("dvss-suture-sponge-1", 78, True), ("dvss-peg-board-2", 90, False), ("dvss-suture-sponge-1", 94, True),
]
# trainee2: four self-reported sessions on the Mimic dV-Trainer, then an imported export.
TRAINEE2_SESSIONS = [("mimic-ring-and-rail-1", 55), ("mimic-peg-board-1", 62), ("mimic-ring-and-rail-1", 68),
                     ("mimic-peg-board-1", 75)]
TRAINEE2_EXPORT_DAYS_AGO = (90, 80, 70)


def _simulator_sessions(trainee: User, *, today: datetime.date, rng: random.Random, plan: list[tuple],
                        first_days_ago: int, last_days_ago: int, verifier: User | None) -> None:
    exercises = {e.code: e for e in SimulatorExercise.objects.filter(code__in={row[0] for row in plan})}
    count = len(plan)
    for i, (code, score, *verified) in enumerate(plan):
        progress = i / max(1, count - 1)
        days_ago = round(first_days_ago - progress * (first_days_ago - last_days_ago))
        exercise = exercises[code]
        session = simulator_session_create(trainee=trainee, actor=trainee, data={
            "date": today - datetime.timedelta(days=days_ago), "exercise": exercise,
            "score": Decimal(score), "minutes": rng.randint(15, 40),
            "metrics": metrics_for_score(exercise, score),
        })
        if verifier is not None and verified and verified[0]:
            simulator_session_verify(session=session, actor=verifier)


def demo_export_csv(today: datetime.date) -> bytes:
    """A simulator export in the generic format: trainee2's three latest Mimic sessions."""
    exercise = SimulatorExercise.objects.get(code="mimic-peg-board-1")
    names = [m["name"] for m in exercise.metrics]
    lines = [",".join(["exercise", "date", "minutes", "score", *names])]
    for days_ago, score in zip(TRAINEE2_EXPORT_DAYS_AGO, (78, 82, 86), strict=True):
        values = metrics_for_score(exercise, score)
        date = today - datetime.timedelta(days=days_ago)
        lines.append(",".join([exercise.code, date.isoformat(), "25", str(score), *(str(values[n]) for n in names)]))
    return ("\n".join(lines) + "\n").encode()


@transaction.atomic
def _verify_elearning(trainee: User, trainer: User) -> None:
    """trainer1 has verified trainee1's first two e-learning completions; the last one waits in
    the trainer's queue (and progress says so)."""
    from accreditation.logbook.verification import elearning_completion_verify
    from curriculum.models import ELearningCompletion

    completions = list(ELearningCompletion.objects.filter(trainee=trainee).order_by("completed_on", "id"))
    if any(c.provenance != "self_reported" for c in completions):
        return
    for completion in completions[:-1]:
        elearning_completion_verify(completion=completion, actor=trainer)


def seed() -> None:
    today = timezone.localdate()
    trainee1, trainee2, trainee3 = _user(TRAINEE1), _user(TRAINEE2), _user(TRAINEE3)

    if not Case.objects.filter(trainee=trainee1).exists():
        rng = _rng(42)
        for plan in _trainee1_plan(today, rng):
            _log(trainee1, plan, today, rng)
    if not Case.objects.filter(trainee=trainee2).exists():
        rng = _rng(43)
        for plan in _trainee2_plan():
            _log(trainee2, plan, today, rng)
    if not Case.objects.filter(trainee=trainee3).exists():
        rng = _rng(44)
        for plan in _trainee3_plan():
            _log(trainee3, plan, today, rng)

    if not SimulatorSession.objects.filter(trainee=trainee1).exists():
        _simulator_sessions(trainee1, today=today, rng=_rng(45), plan=TRAINEE1_SESSIONS, first_days_ago=600,
                            last_days_ago=420, verifier=_user(TRAINER1))
    if not SimulatorSession.objects.filter(trainee=trainee2).exists():
        _simulator_sessions(trainee2, today=today, rng=_rng(46), plan=TRAINEE2_SESSIONS, first_days_ago=320,
                            last_days_ago=120, verifier=None)
    _verify_elearning(trainee1, _user(TRAINER1))
    if not SimulatorImportFile.objects.filter(trainee=trainee2).exists():
        simulator_import(trainee=trainee2, actor=trainee2, content=demo_export_csv(today),
                         file_name="mimic-export.csv", format_code="generic", dry_run=False)
