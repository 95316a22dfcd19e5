"""The floors of the benchmark: the least work that returns the same data.

- Lists (a trainee's logbook, a trainer's validation queue): a bare Django view, the same
  rows with `.values()` and `JsonResponse`, no DRF, no serializer.
- The learning curve: the API's own read and CUSUMs (they are the work, not overhead) in a
  bare view that answers the same JSON, without DRF.
- Case create: plain SQL in one transaction writing what the API's create writes: the case
  row, its steps, and its audit entry appended to the trainee's portfolio chain (the head
  locked, the entry hashed as the audit service hashes it). It checks nothing, picks no
  validator and returns the new id: the ratio is what validation, the validator rule, DRF
  and the ORM add to the same writes.
- Dashboards: hand-written SQL, one statement per section, in a view that returns the
  figures as JSON, for the five sections every dashboard has (faculty, labs, sign-offs,
  trainees by progress band from the progress summaries, cases by month and platform).
  The dashboard also serves sections added since (capacity versus need, trainer capacity,
  over-logging, calibration) which this floor does not compute: the ratio overstates the
  dashboard's overhead by their cost.

Every floor authenticates the token like the API does (one query), so the ratio measures
what the API adds (DRF, permissions, serializers, the ORM), not the sign-in.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accreditation.logbook import learning_curve as lc
from accreditation.logbook.models import Case, CaseStatus, CaseStep
from accreditation.logbook.selectors import learning_curve_of
from labs import capacity
from rastrack.accounts.models import ApiToken
from rastrack.accounts.supervision import supervised_trainee_ids
from rastrack.accounts.tokens import token_digest
from rastrack.audit.canonical import canonicalise
from rastrack.audit.models import GENESIS_HASH
from rastrack.audit.services import entry_hash, portfolio_stream
from rastrack.core.months import add_months, first_of_month

CASE_VALUES = [
    "id", "trainee_id", "trainee__full_name", "date", "site_id", "site__name", "platform", "procedure_id",
    "procedure__name", "role", "supervision", "console_minutes", "docking_minutes", "total_minutes",
    "conversion", "complication_grade", "supervisor_id", "supervisor_name", "case_reference", "notes",
    "status", "validator_id", "submitted_at", "decided_at", "rejection_reason", "validated_role",
    "validated_supervision", "disagreement", "created_at", "updated_at",
]


def _user(request: HttpRequest):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    key = header.split(" ", 1)[1] if header.startswith("Token ") else ""
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
    return token.user if token is not None else None


def _page(request: HttpRequest, queryset) -> JsonResponse:
    page = max(1, int(request.GET.get("page", "1")))
    size = min(100, max(1, int(request.GET.get("page_size", "25"))))
    count = queryset.count()
    rows = list(queryset.values(*CASE_VALUES)[(page - 1) * size: page * size])
    steps: dict[int, list] = {}
    for step in (CaseStep.objects.filter(case_id__in=[r["id"] for r in rows])
                 .order_by("case_id", "step__order").values("case_id", "step_id", "step__name", "role")):
        steps.setdefault(step["case_id"], []).append(
            {"step": step["step_id"], "step_name": step["step__name"], "role": step["role"]})
    for row in rows:
        row["steps"] = steps.get(row["id"], [])
    return JsonResponse({"count": count, "page": page, "results": rows})


def logbook(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "401"}, status=401)
    return _page(request, Case.objects.filter(trainee=user).order_by("-date", "-id"))


def queue(request: HttpRequest) -> JsonResponse:
    """The cases the API's queue answers: submitted to this validator, of trainees the
    validator may supervise today (the same rule, `supervised_trainee_ids`, read once as the
    API reads it: a validator who has lost the right sees no more of that trainee's cases)."""
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "401"}, status=401)
    return _page(request, Case.objects.filter(validator=user, status=CaseStatus.SUBMITTED,
                                              trainee_id__in=list(supervised_trainee_ids(user)))
                 .order_by("submitted_at", "id"))


def learning_curve(request: HttpRequest) -> JsonResponse:
    """The API's learning curve, the same JSON (tests/bench/test_floors.py compares them): the
    same one-query read and the same CUSUMs, with the defaults, and no DRF around them."""
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "401"}, status=401)
    procedure = int(request.GET["procedure"])
    curve = learning_curve_of(trainee=user, procedure_id=procedure)
    target = lc.target_of(curve.points, None)
    phase = lc.learning_phase_cases(curve.points, target=target, stay=lc.DEFAULT_STAY)
    cases = [pk for pk, _, _ in curve.outcomes]
    bernoulli = {}
    for name, index in (("complications", 1), ("conversions", 2)):
        result = lc.bernoulli_cusum([o[index] for o in curve.outcomes], p0=lc.DEFAULT_P0, p1=lc.DEFAULT_P1,
                                    h=lc.DEFAULT_H, cases=cases)
        bernoulli[name] = {"p0": result.p0, "p1": result.p1, "h": result.h, "signal_case": result.signal_case,
                           "points": [{"n": p.n, "case": p.case, "failure": p.failure, "score": p.score}
                                      for p in result.points]}
    return JsonResponse({
        "trainee": user.pk, "procedure": procedure, "step": None,
        "target": float(target) if target is not None else None, "stay": lc.DEFAULT_STAY,
        "learning_phase_cases": phase, "learning_phase_end": phase, "excluded": curve.excluded,
        "points": [{"n": p.n, "case": p.case, "date": p.date, "console_minutes": p.console_minutes,
                    "cusum": float(p.cusum)} for p in curve.points],
        **bernoulli,
    })


# --- Case create: plain SQL ---------------------------------------------------------------------------

CASE_COLUMNS = [
    "trainee_id", "date", "site_id", "platform", "procedure_id", "role", "supervision", "trainer_position",
    "urgency", "console_minutes", "docking_minutes", "total_minutes", "conversion", "complication_grade",
    "supervisor_name", "case_reference", "notes", "status", "rejection_reason", "validated_role",
    "validated_supervision", "validated_trainer_position", "disagreement", "source", "created_at", "updated_at",
]
# Constant column names and placeholders only: the values go as parameters.
INSERT_CASE_SQL = "INSERT INTO accreditation_case ({}) VALUES ({}) RETURNING id".format(  # noqa: S608
    ", ".join(CASE_COLUMNS), ", ".join(["%s"] * len(CASE_COLUMNS)))
HEAD_SQL = "SELECT seq, hash FROM audit_auditstreamhead WHERE stream = %s FOR UPDATE"
INSERT_ENTRY_SQL = """
INSERT INTO audit_auditentry (stream, seq, occurred_at, actor_id, action, object_type, object_id, before, after,
                              request_id, prev_hash, hash)
VALUES (%s, %s, %s, %s, 'case.create', 'accreditation.case', %s, NULL, %s, '', %s, %s)
"""
UPSERT_HEAD_SQL = """
INSERT INTO audit_auditstreamhead (stream, seq, hash) VALUES (%s, %s, %s)
ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
"""


@csrf_exempt
def case_create(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "401"}, status=401)
    body = json.loads(request.body)
    now = timezone.now()
    values = {
        "trainee_id": user.pk, "date": body["date"], "site_id": body["site"], "platform": body["platform"],
        "procedure_id": body["procedure"], "role": body["role"], "supervision": body["supervision"],
        "trainer_position": "", "urgency": "", "console_minutes": body.get("console_minutes"),
        "docking_minutes": body.get("docking_minutes"), "total_minutes": body.get("total_minutes"),
        "conversion": "none", "complication_grade": "none", "supervisor_name": "", "case_reference": "",
        "notes": "", "status": "draft", "rejection_reason": "", "validated_role": "",
        "validated_supervision": "", "validated_trainer_position": "", "disagreement": False,
        "source": "entered", "created_at": now, "updated_at": now,
    }
    steps = [(s["step"], s.get("role", "console")) for s in body.get("steps", [])]
    stream = portfolio_stream(user.pk)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_CASE_SQL, [values[c] for c in CASE_COLUMNS])
        case_id = cursor.fetchone()[0]
        if steps:
            rows = ", ".join(["(%s, %s, %s, false)"] * len(steps))  # placeholders only
            cursor.execute(f"INSERT INTO accreditation_casestep (case_id, step_id, role, takeover) VALUES {rows}",  # noqa: S608
                           [v for step, role in steps for v in (case_id, step, role)])
        cursor.execute(HEAD_SQL, [stream])
        head = cursor.fetchone()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        after = canonicalise({**values, "id": case_id, "steps": [list(s) for s in steps]})
        digest = entry_hash(stream=stream, seq=seq, occurred_at=now, actor_id=user.pk, action="case.create",
                            object_type="accreditation.case", object_id=str(case_id), before=None, after=after,
                            request_id="", prev_hash=prev_hash)
        cursor.execute(INSERT_ENTRY_SQL, [stream, seq, now, user.pk, str(case_id), json.dumps(after),
                                          prev_hash, digest])
        cursor.execute(UPSERT_HEAD_SQL, [stream, seq, digest])
    return JsonResponse({"id": case_id}, status=201)


# --- Dashboards: hand-written SQL (PostgreSQL) -------------------------------------------------------
# National figures skip the join to the people (their region) where a section does not need it.

FACULTY_SQL = """
WITH acc AS (
  SELECT u.region_id, a.status, a.expires_on, a.trainer_id
  FROM accreditation_accreditation a JOIN accounts_user u ON u.id = a.trainer_id
  WHERE (%(region)s::bigint IS NULL OR u.region_id = %(region)s)
), assigned AS (
  SELECT u.region_id, count(*) AS n
  FROM accreditation_assignment s
  JOIN accounts_user u ON u.id = s.trainer_id
  JOIN accreditation_accreditation a ON a.trainer_id = s.trainer_id AND a.status = 'accredited'
  WHERE s.starts_on <= %(today)s
    AND (s.ends_on IS NULL OR s.ends_on > %(today)s OR (s.ends_on = %(today)s AND s.ended_at IS NULL))
    AND (%(region)s::bigint IS NULL OR u.region_id = %(region)s)
  GROUP BY u.region_id
)
SELECT acc.region_id, r.name,
       count(*) FILTER (WHERE status = 'accredited'), count(*) FILTER (WHERE status = 'suspended'),
       count(*) FILTER (WHERE status = 'lapsed'), count(*) FILTER (WHERE status = 'revoked'), count(*),
       count(*) FILTER (WHERE status = 'accredited' AND expires_on BETWEEN %(today)s AND %(soon)s),
       coalesce(max(assigned.n), 0)
FROM acc LEFT JOIN reference_region r ON r.id = acc.region_id
LEFT JOIN assigned ON assigned.region_id IS NOT DISTINCT FROM acc.region_id
GROUP BY acc.region_id, r.name ORDER BY r.name
"""

LABS_SQL = """
WITH s AS (
  SELECT ls.id, date_trunc('month', ls.starts_at AT TIME ZONE %(tz)s)::date AS month, ls.seats, ls.seats_booked
  FROM labs_labsession ls JOIN labs_lab l ON l.id = ls.lab_id
  WHERE ls.status = 'scheduled' AND ls.starts_at >= %(begin)s AND ls.starts_at < %(finish)s
    AND (%(region)s::bigint IS NULL OR l.region_id = %(region)s)
), b AS (
  SELECT b.session_id,
         count(*) FILTER (WHERE b.status = 'attended') AS attended,
         count(*) FILTER (WHERE b.status = 'no_show') AS no_shows,
         count(*) FILTER (WHERE b.waitlisted_at IS NOT NULL) AS waitlist_demand,
         count(*) FILTER (WHERE b.status = 'waitlisted') AS waitlisted
  FROM labs_booking b JOIN s ON s.id = b.session_id GROUP BY b.session_id
)
SELECT s.month, count(*), sum(s.seats), sum(s.seats_booked), coalesce(sum(b.attended), 0),
       coalesce(sum(b.no_shows), 0), coalesce(sum(b.waitlist_demand), 0), coalesce(sum(b.waitlisted), 0)
FROM s LEFT JOIN b ON b.session_id = s.id GROUP BY s.month ORDER BY s.month
"""

SIGNOFFS_SQL = """
SELECT count(*) FILTER (WHERE sr.status = 'pending'),
       count(*) FILTER (WHERE sr.status = 'pending' AND sr.due_on < %(today)s),
       count(*) FILTER (WHERE sr.decided_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sr.decided_at - sr.created_at) / 86400)
         FILTER (WHERE sr.decided_at IS NOT NULL),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM sr.decided_at - sr.created_at) / 86400)
         FILTER (WHERE sr.decided_at IS NOT NULL)
FROM accreditation_signoffrequest sr JOIN accounts_user u ON u.id = sr.trainee_id
WHERE (%(region)s::bigint IS NULL OR u.region_id = %(region)s)
"""

TRAINEES_SQL = """
SELECT p.id, p.code, p.title,
       count(*) FILTER (WHERE e.status <> 'completed' AND s.band = 'band_0_25'),
       count(*) FILTER (WHERE e.status <> 'completed' AND s.band = 'band_25_50'),
       count(*) FILTER (WHERE e.status <> 'completed' AND s.band = 'band_50_75'),
       count(*) FILTER (WHERE e.status <> 'completed' AND s.band = 'band_75_99'),
       count(*) FILTER (WHERE e.status = 'completed' OR s.band = 'complete'),
       count(*) FILTER (WHERE e.status <> 'completed' AND s.enrolment_id IS NULL),
       count(*)
FROM curriculum_enrolment e JOIN curriculum_pathway p ON p.id = e.pathway_id
JOIN accounts_user u ON u.id = e.trainee_id
LEFT JOIN curriculum_progresssnapshot s ON s.enrolment_id = e.id
WHERE e.status IN ('active', 'paused', 'completed') AND (%(region)s::bigint IS NULL OR u.region_id = %(region)s)
GROUP BY p.id, p.code, p.title, p.version ORDER BY p.code, p.version
"""

CASES_SQL = """
SELECT date_trunc('month', c.date)::date, c.platform,
       count(*) FILTER (WHERE c.status = 'validated'), count(*) FILTER (WHERE c.status = 'submitted')
FROM accreditation_case c {region_join}
WHERE c.status IN ('validated', 'submitted') AND c.date >= %(first)s AND c.date < %(after)s
GROUP BY 1, 2 ORDER BY 1, 2
"""
CASES_REGION_JOIN = "JOIN accounts_user u ON u.id = c.trainee_id AND u.region_id = %(region)s"

SIGNOFFS_SQL_NATIONAL = SIGNOFFS_SQL.replace(
    "FROM accreditation_signoffrequest sr JOIN accounts_user u ON u.id = sr.trainee_id\n"
    "WHERE (%(region)s::bigint IS NULL OR u.region_id = %(region)s)", "FROM accreditation_signoffrequest sr")


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dashboard(request: HttpRequest, region_id: int | None = None) -> JsonResponse:
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "401"}, status=401)
    today = timezone.localdate()
    start, end = capacity.default_period(today)
    start, end = first_of_month(start), first_of_month(end)
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(add_months(end, 1), datetime.time.min, tzinfo=tz)
    params = {"region": region_id, "today": today, "soon": today + datetime.timedelta(days=90),
              "tz": str(tz), "begin": begin, "finish": finish, "first": start,
              "after": add_months(end, 1)}
    faculty = [{"region": r[0], "region_name": r[1] or "", "accredited": r[2], "suspended": r[3], "lapsed": r[4],
                "revoked": r[5], "total": r[6], "expiring_soon": r[7], "active_assignments": r[8],
                "assignments_per_trainer": round(r[8] / r[2], 2) if r[2] else None}
               for r in _rows(FACULTY_SQL, params)]
    labs = [{"month": r[0].strftime("%Y-%m"), "sessions": r[1], "seats_offered": r[2], "booked": r[3],
             "attended": r[4], "no_shows": r[5], "waitlist_demand": r[6], "waitlisted": r[7]}
            for r in _rows(LABS_SQL, params)]
    s = _rows(SIGNOFFS_SQL if region_id is not None else SIGNOFFS_SQL_NATIONAL, params)[0]
    signoffs = [{"pending": s[0], "overdue": s[1], "decided": s[2],
                 "turnaround_median_days": None if s[3] is None else round(s[3], 1),
                 "turnaround_p90_days": None if s[4] is None else round(s[4], 1)}]
    trainees = [{"pathway": r[0], "pathway_code": r[1], "pathway_title": r[2], "band_0_25": r[3],
                 "band_25_50": r[4], "band_50_75": r[5], "band_75_99": r[6], "complete": r[7],
                 "not_computed": r[8], "total": r[9]} for r in _rows(TRAINEES_SQL, params)]
    cases = [{"month": r[0].strftime("%Y-%m"), "platform": r[1], "validated": r[2], "submitted": r[3]}
             for r in _rows(CASES_SQL.format(region_join=CASES_REGION_JOIN if region_id is not None else ""),
                            params)]
    return JsonResponse({"scope": {"region": region_id}, "period": {"from": start.strftime("%Y-%m"),
                                                                  "to": end.strftime("%Y-%m")},
                         "faculty": faculty, "labs": labs, "signoffs": signoffs, "trainees": trainees,
                         "cases": cases})
