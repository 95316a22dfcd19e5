"""Sign-off's part of `seed_demo` (after the logbook's): assessments and sign-off requests.

- trainee1: GEARS by trainer1 on ten of their validated console cases, improving over time
  (total 14 -> 26), so the console pathway's "GEARS >= 20 on 3 consecutive" is met; the
  supervision level by trainer1 rising from II to IV; two self-assessments: one revealed
  (trainer1 rated the same case: the calibration shows the difference per domain) and one
  still blinded (trainer1 has not rated that case yet, so he cannot see it); and one fresh
  GEARS by trainer1 on a case trainee1 has not rated, hidden from trainee1 until they do
  (or for 7 days).
- Sign-off requests of trainee1: docking approved by trainer1, emergency undocking pending
  with trainer1 and overdue, situation awareness returned with feedback, a console
  component pending with trainer2. Closed-loop communication, modular steps, decision
  making and the rest have no request, so a new one can be made in the demo.

- RACE by trainer1 from video on trainee1's newest validated case with the anastomosis, with the
  ISCP supervision level for each step trainee1 did (the per-step grid).
- Blinded video reviews of trainee3's cases (North West), opened by the programme admin, with
  trainer1 and trainer2 (London, not trainee3's trainers) as raters: one closed, with both
  totals, the mean and Krippendorff's alpha; one open, waiting for trainer2's rating.

Everything goes through the services (audit trail, notifications). Idempotent (each item is
looked up before it is made); dates relative to today.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accreditation.logbook.models import CONSOLE_ROLES, Case, CaseStatus, CaseStep
from accreditation.signoff.models import Assessment, SignoffRequest, VideoReview
from accreditation.signoff.selectors import assessment_tool
from accreditation.signoff.services import (
    assessment_create,
    signoff_request_approve,
    signoff_request_create,
    signoff_request_return,
)
from accreditation.signoff.video_reviews import video_review_open, video_review_rate
from curriculum.models import Competency, Component, Lifecycle
from rastrack.accounts.models import User

TRAINEE1 = "trainee1@demo.rastrack.org"
TRAINER1 = "trainer1@demo.rastrack.org"
TRAINER2 = "trainer2@demo.rastrack.org"
TRAINEE3 = "trainee3@demo.rastrack.org"
ADMIN = "admin@demo.rastrack.org"
RACE_ORDER = ["needle_positioning", "needle_entry", "needle_driving", "suture_placement", "tissue_approximation",
              "knot_tying"]

GEARS_ORDER = ["depth_perception", "bimanual_dexterity", "efficiency", "force_sensitivity", "autonomy",
               "robotic_control"]
# Where a trainee's extra points go first: depth perception and dexterity come early,
# autonomy and force sensitivity last.
_GAIN_ORDER = ["depth_perception", "bimanual_dexterity", "robotic_control", "efficiency",
               "force_sensitivity", "autonomy"]

FEEDBACK = [
    "Good camera control; work on using the third arm for retraction instead of the assistant.",
    "Smoother clutching. Tension on the bladder neck sutures still varies.",
    "Confident dissection of the posterior plane with little prompting.",
    "Efficient and safe throughout; ready for more of the case at the console.",
]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def gears_scores(total: int) -> dict[str, int]:
    """Six 1-5 domain scores adding up to `total` (6-30), spread as a trainee improves."""
    total = max(6, min(30, total))
    scores = dict.fromkeys(GEARS_ORDER, total // 6)
    for code in _GAIN_ORDER[: total % 6]:
        scores[code] += 1
    return scores


def _at(day: datetime.date, hour: int = 18) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _spread(items: list, n: int) -> list:
    """n items evenly spread over the list (all of them when there are fewer)."""
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def _assess(*, actor: User, trainee: User, tool_code: str, scores: dict, case: Case | None,
            date: datetime.date, feedback: str = "", today: datetime.date | None = None) -> None:
    tool = assessment_tool(tool_code)
    exists = Assessment.objects.filter(trainee=trainee, assessor=actor, tool=tool)
    exists = exists.filter(case=case) if case is not None else exists.filter(case__isnull=True, date=date)
    if exists.exists():
        return
    assessment_create(actor=actor, trainee=trainee, tool=tool, scores=scores, case=case, date=date,
                      feedback=feedback, today=today or date)


def _assessments(trainee: User, trainer: User, today: datetime.date) -> None:
    console = Case.objects.filter(trainee=trainee, role__in=CONSOLE_ROLES).order_by("date", "id")
    validated = list(console.filter(status=CaseStatus.VALIDATED))
    series = _spread(validated, 10)
    n = len(series)
    revealed_case = series[-4] if n >= 4 else None
    for i, case in enumerate(series):
        total = round(14 + (26 - 14) * i / max(1, n - 1))
        if case == revealed_case:
            # trainee1 rated this case first (a little generously), then trainer1 did.
            _assess(actor=trainee, trainee=trainee, tool_code="gears", scores=gears_scores(total + 3), case=case,
                    date=case.date, feedback="Felt in control; the apical dissection was slow.")
        _assess(actor=trainer, trainee=trainee, tool_code="gears", scores=gears_scores(total), case=case,
                date=case.date, feedback=FEEDBACK[i * len(FEEDBACK) // max(1, n)])

    submitted = list(console.filter(status=CaseStatus.SUBMITTED).order_by("-date", "-id")[:2])
    if submitted:
        # Blinded both ways, for the demo: trainee1 rated the newest waiting case (trainer1
        # cannot see it until he rates it too) ...
        newest = submitted[0]
        _assess(actor=trainee, trainee=trainee, tool_code="gears", scores=gears_scores(25), case=newest,
                date=newest.date, today=today, feedback="Whole case at the console; docking took 8 minutes.")
    if len(submitted) > 1:
        # ... and trainer1 rated the one before, today: hidden from trainee1 until they rate it.
        _assess(actor=trainer, trainee=trainee, tool_code="gears", scores=gears_scores(25), case=submitted[1],
                date=submitted[1].date, today=today, feedback=FEEDBACK[-1])

    for days_ago, level in ((300, 2), (120, 3), (30, 4)):
        day = today - datetime.timedelta(days=days_ago)
        _assess(actor=trainer, trainee=trainee, tool_code="entrustment", scores={"level": level}, case=None,
                date=day, feedback=f"Supervision level {'I II III IV V'.split()[level - 1]} for the index "
                                   "procedure's console steps.")


def _competency(key: str) -> Competency | None:
    return (Competency.objects.filter(key=key, framework__status=Lifecycle.PUBLISHED)
            .order_by("-framework__version").first())


def _requests(trainee: User, trainer1: User, trainer2: User, today: datetime.date) -> None:
    cases = list(Case.objects.filter(trainee=trainee, status=CaseStatus.VALIDATED).order_by("-date", "-id")
                 .values_list("pk", flat=True)[:6])
    gears = list(Assessment.objects.filter(trainee=trainee, assessor=trainer1, tool__code="gears")
                 .order_by("-date", "-id").values_list("pk", flat=True)[:3])

    def ask(*, key: str, trainer: User, days_ago: int, note: str, evidence: list[int], assessments=(), **target):
        if SignoffRequest.objects.filter(trainee=trainee, target_key=key).exists():
            return None
        return signoff_request_create(
            trainee=trainee, trainer=trainer, evidence_cases=evidence, evidence_assessments=list(assessments),
            note=note, now=_at(today - datetime.timedelta(days=days_ago), 9), **target)

    docking = _competency("docking")
    if docking is not None:
        made = ask(key="competency:docking", trainer=trainer1, days_ago=60, evidence=cases[:2],
                   note="Docked the Xi on my last bedside cases and in the dry lab.", competency=docking.pk)
        if made is not None:
            signoff_request_approve(request=made, actor=trainer1, now=_at(today - datetime.timedelta(days=55)),
                                    feedback="Docks safely and in good time; clear communication with the team.")
    undocking = _competency("emergency-undocking")
    if undocking is not None:
        ask(key="competency:emergency-undocking", trainer=trainer1, days_ago=20, evidence=[],
            note="Led the emergency undocking drill in the skills lab with the theatre team.",
            competency=undocking.pk)
    awareness = _competency("situation-awareness")
    if awareness is not None:
        made = ask(key="competency:situation-awareness", trainer=trainer1, days_ago=40, evidence=cases[:3],
                   assessments=gears, note="Console cases where I kept track of the whole theatre.",
                   competency=awareness.pk)
        if made is not None:
            signoff_request_return(request=made, actor=trainer1, now=_at(today - datetime.timedelta(days=36)),
                                   feedback="Bring a case assessed with NOTSS, and say how you handled the "
                                            "instrument failure in April's case.")
    component = (Component.objects.filter(module__pathway__code="console-surgeon", kind="dry_lab",
                                          module__pathway__enrolments__trainee=trainee,
                                          module__pathway__status=Lifecycle.PUBLISHED)
                 .order_by("-module__pathway__version").first())
    if component is not None:
        ask(key=f"component:{component.key}", trainer=trainer2, days_ago=3, evidence=[],
            note="Ten hours of dry-lab console practice, logged with the skills lab.", component=component.pk)


def _race_with_steps(trainee: User, trainer: User) -> None:
    case = (Case.objects.filter(trainee=trainee, status=CaseStatus.VALIDATED,
                                steps__step__name="Urethrovesical anastomosis").order_by("-date", "-id").first())
    if case is None or Assessment.objects.filter(case=case, tool__code="race", assessor=trainer).exists():
        return
    steps = list(CaseStep.objects.filter(case=case).select_related("step").order_by("step__order"))
    # Earlier steps done more independently than the anastomosis, as in modular training.
    levels = {s.step_id: ("IV" if s.step.name != "Urethrovesical anastomosis" else "III") for s in steps}
    assessment_create(
        actor=trainer, trainee=trainee, tool="race", case=case, date=case.date, today=case.date, mode="video",
        scores=dict(zip(RACE_ORDER, [4, 4, 3, 4, 3, 4], strict=True)), entrustment="III",
        step_entrustment=[{"step": step_id, "level": level} for step_id, level in levels.items()],
        feedback="Reviewed from the console recording: even bites; tension on the back wall needs care.")


def _video_reviews(today: datetime.date) -> None:
    admin, trainee = User.objects.filter(email=ADMIN).first(), User.objects.filter(email=TRAINEE3).first()
    trainer1, trainer2 = _user(TRAINER1), _user(TRAINER2)
    if admin is None or trainee is None:
        return
    cases = list(Case.objects.filter(trainee=trainee, status=CaseStatus.VALIDATED).order_by("date", "id")[:2])
    ratings = [
        # (reference, [(rater, scores)]): the first closes, the second waits for trainer2.
        ("vault:north-west/2026/full-case-0001", [(trainer1, [4, 4, 3, 4, 4, 3]), (trainer2, [4, 3, 3, 4, 4, 3])]),
        ("vault:north-west/2026/full-case-0002", [(trainer1, [3, 4, 3, 3, 4, 3])]),
    ]
    for case, (reference, given) in zip(cases, ratings, strict=False):
        if VideoReview.objects.filter(video_reference=reference).exists():
            continue
        review = video_review_open(actor=admin, trainee=trainee, case=case, tool="gears", video_reference=reference,
                                   raters=[trainer1.pk, trainer2.pk], today=today)
        for rater, scores in given:
            video_review_rate(actor=rater, review=review, scores=dict(zip(GEARS_ORDER, scores, strict=True)))


@transaction.atomic
def seed() -> None:
    today = timezone.localdate()
    trainee = User.objects.filter(email=TRAINEE1).first()
    trainer1 = User.objects.filter(email=TRAINER1).first()
    trainer2 = User.objects.filter(email=TRAINER2).first()
    if trainee is None or trainer1 is None or trainer2 is None:
        return
    _assessments(trainee, trainer1, today)
    _requests(trainee, trainer1, trainer2, today)
    _race_with_steps(trainee, trainer1)
    _video_reviews(today)
