"""The benchmark world of `manage.py seed_bench`: a national-scale RASTrack.

Sizes follow the number of cases N: about 1 trainee per 100 cases, 1 trainer per 10
trainees, one lab per 100 trainees (spread over the regions), and assessments, sign-off
requests, simulator sessions, enrolments, lab sessions and bookings in proportion.
Distributions: case dates over five years (each trainee from their own start date), a
skewed procedure mix (trainees have a specialty; procedures of it follow a Zipf law; the
urology index procedure RARP leads), roles moving from observer to whole console cases,
console and docking times falling along learning curves with noise, and the most recent
cases still draft or submitted (the validation queues).

It is the real schema: every row satisfies the database's CHECK and unique constraints.
Rows are loaded in batches, by COPY on PostgreSQL and `bulk_create` elsewhere, with
explicit ids (the sequences are moved past them at the end), so foreign keys can be
written without reading anything back. Only the framework and the pathways go through the
services (they are small and their rules are many: `curriculum.demo` builds them).

Not loaded: the audit trail of the historical rows (the trail is append-only and hash
chained; new writes in the benchmark start each trainee's portfolio stream), e-learning
completions, evidence links of sign-off requests, notifications.

Fixed people the harness signs in as (password `BENCH_PASSWORD`):
- `bench.admin@bench.rastrack.org`: programme admin;
- `bench.lead.<region code>@bench.rastrack.org`: a regional lead per region;
- `trainee000001@bench.rastrack.org`: the learning-curve trainee, 500 cases (RARP mostly),
  enrolled on the console-surgeon pathway; their educational supervisor is the queue trainer;
- `trainee<n>@bench.rastrack.org`, `trainer<n>@...`, `labmanager<n>@...`.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Max
from django.utils import timezone

BENCH_DOMAIN = "bench.rastrack.org"
BENCH_PASSWORD = "rastrack-bench"
ADMIN_EMAIL = f"bench.admin@{BENCH_DOMAIN}"
CURVE_TRAINEE_EMAIL = f"trainee000001@{BENCH_DOMAIN}"
CURVE_CASES = 500
CONTENTION_TITLE = "Bench contention session"

# Share of trainees (and so of cases) by region: bigger regions train more.
REGION_WEIGHTS = {
    "london": 0.20, "midlands": 0.17, "north-east-and-yorkshire": 0.15, "north-west": 0.13,
    "south-east": 0.13, "east-of-england": 0.11, "south-west": 0.11,
}
SPECIALTY_WEIGHTS = {
    "urology": 0.35, "colorectal": 0.20, "gynaecology": 0.15, "general_upper_gi": 0.15,
    "thoracic": 0.07, "hpb": 0.05, "ent": 0.03,
}
# The index procedure of each specialty comes first (most cases), then a Zipf tail.
INDEX_PROCEDURE = {"urology": "rarp", "colorectal": "anterior-resection", "gynaecology": "hysterectomy",
                   "general_upper_gi": "inguinal-hernia", "thoracic": "lobectomy", "hpb": "liver-resection",
                   "ent": "tors"}
PLATFORMS = [("davinci_xi", 0.70), ("davinci_x", 0.10), ("versius", 0.08), ("hugo", 0.05),
             ("davinci_5", 0.04), ("davinci_sp", 0.02), ("other", 0.01)]
COMPLICATIONS = [("none", 0.90), ("I", 0.05), ("II", 0.03), ("IIIa", 0.01), ("IIIb", 0.006),
                 ("IVa", 0.002), ("IVb", 0.001), ("V", 0.001)]
NOTES = ["Adhesions from previous surgery.", "Smooth case; discussed port placement afterwards.",
         "Narrow pelvis; slow posterior dissection.", "Trainer took over for the last step."]
SESSION_KINDS = ["simulation", "dry_lab", "wet_lab", "course", "console_practice"]
SIMULATORS = ["davinci_skills", "mimic_dv_trainer", "robotix_mentor", "versius_trainer", "hugo_simulator"]
EXERCISES = ["Ring walk", "Suture sponge", "Energy dissection", "Camera targeting", "Thread the rings"]
BATCH = 20_000


def _cum(pairs):
    values, weights = zip(*pairs, strict=True)
    total, acc, cum = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        cum.append(acc)
    return values, cum


def _pick(rng: random.Random, table) -> object:
    values, cum = table
    x = rng.random()
    for value, edge in zip(values, cum, strict=True):
        if x <= edge:
            return value
    return values[-1]


@dataclass
class Plan:
    """The sizes of a world of `cases` cases."""

    cases: int
    trainees: int
    trainers: int
    labs: int
    sessions: int
    curve_cases: int

    @classmethod
    def for_cases(cls, cases: int) -> Plan:
        if cases < 100:
            raise ValueError("Use at least 100 cases.")
        trainees = max(3, round(cases / 100))
        return cls(cases=cases, trainees=trainees, trainers=max(1, round(trainees / 10)),
                   labs=max(1, round(trainees / 100)), sessions=max(8, round(cases / 20)),
                   curve_cases=min(CURVE_CASES, cases // 3))


class Progress:
    """Plain progress lines on stderr: what, how many, elapsed seconds."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, what: str, done: int | None = None, total: int | None = None) -> None:
        if self.quiet:
            return
        if total:
            bar = "#" * int(30 * done / total)
            line = f"[{bar:<30}] {what} {done:,}/{total:,}"
        else:
            line = what
        self.stream.write(f"{self.elapsed():7.1f}s  {line}\n")
        self.stream.flush()


class Loader:
    """Writes rows (tuples in `columns` order, attnames) with explicit ids: COPY on
    PostgreSQL, `bulk_create` elsewhere."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[type, int] = {}

    def ids(self, model, n: int) -> range:
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + n
        return range(start, start + n)

    def write(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[model._meta.label] += len(rows)
        if self.pg:
            from psycopg.types.json import Jsonb

            fields = [model._meta.get_field(c) for c in columns]  # attnames are accepted too
            # COPY leaves an unlisted column to the table's own default, and Django keeps
            # defaults in Python: a field added later (with a default) must not break the load.
            listed = {f.attname for f in fields}
            extra = [f for f in model._meta.concrete_fields if f.attname not in listed and not f.primary_key]
            if extra:
                fields += extra
                columns = [*columns, *(f.attname for f in extra)]
                now = timezone.now()
                defaults = tuple(now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
                                 else f.get_default() for f in extra)
                rows = [(*row, *defaults) for row in rows]
            json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
            table = connection.ops.quote_name(model._meta.db_table)
            cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            connection.ensure_connection()
            with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = Jsonb(row[i])
                    copy.write_row(row)
        else:
            objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
            model.objects.bulk_create(objs, batch_size=500)

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        sql = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


@dataclass
class Person:
    id: int
    region_id: int | None
    start: datetime.date | None = None
    specialty: str = ""
    extra: dict = field(default_factory=dict)


def _aware(day: datetime.date, hour: int = 19, minute: int = 15) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)


def build(*, cases: int, seed: int = 12, progress: Progress | None = None, summaries: bool = True) -> dict:
    """Build the world of `cases` cases into the (empty of bench data) default database."""
    from rastrack.accounts.models import User

    progress = progress or Progress()
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        raise RuntimeError("This database already holds a bench world: use a fresh database.")
    plan = Plan.for_cases(cases)
    rng = random.Random(seed)  # noqa: S311 - repeatable bench data, not a secret
    progress(f"plan: {plan}")
    # No outer transaction: each batch commits on its own, so PostgreSQL checks the deferred
    # foreign keys batch by batch instead of queueing millions of checks for one commit. A
    # run that fails half-way leaves a partial world: start again on a fresh database.
    loader = Loader()
    world = _Builder(plan, rng, loader, progress)
    world.run()
    if loader.pg:
        # VACUUM as autovacuum would have by then: a live table's visibility map is mostly
        # set, so index-only scans work as they do in production (not inside a transaction:
        # the tests' worlds are only ANALYZEd).
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        progress(statement)
        with connection.cursor() as cursor:
            cursor.execute(statement)
    loaded = round(progress.elapsed(), 1)
    progress(f"rows loaded in {loaded:.1f}s")
    result = {"plan": plan.__dict__, "rows": dict(loader.counts), "seconds": loaded}
    # The cases went in by bulk inserts, past the services that keep the dashboards' summary
    # tables: they are computed once now, as the nightly rebuild would.
    result["summary_tables_seconds"] = rebuild_summary_tables(progress)
    if summaries:
        result["summaries_seconds"] = refresh_summaries(progress)
    progress(f"done in {progress.elapsed():.1f}s")
    return result


def rebuild_summary_tables(progress: Progress | None = None) -> float:
    """Rebuild every summary table the dashboards read (`dashboards.summary_rebuild`)."""
    from dashboards.summary_rebuild import rebuild_summaries

    progress = progress or Progress()
    started = time.monotonic()
    written = rebuild_summaries(record=False)
    seconds = round(time.monotonic() - started, 1)
    progress(f"summary tables {written} in {seconds:.1f}s")
    return seconds


def refresh_summaries(progress: Progress | None = None) -> float | None:
    """Compute the dashboards' progress summaries of every live enrolment, as a deployment
    does after a bulk load (`manage.py refresh_progress --all`); None where the project has
    no summaries."""
    try:
        from curriculum.progress_summary import refresh_all
    except ImportError:
        return None
    from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment

    progress = progress or Progress()
    total = Enrolment.objects.filter(status__in=LIVE_ENROLMENT_STATUSES).count()
    started = time.monotonic()
    progress("progress summaries", 0, total)
    done = refresh_all(progress=lambda n: progress("progress summaries", n, total))
    seconds = round(time.monotonic() - started, 1)
    progress(f"progress summaries: {done:,} in {seconds:.1f}s")
    return seconds


class _Builder:
    def __init__(self, plan: Plan, rng: random.Random, loader: Loader, progress: Progress):
        self.plan, self.rng, self.loader, self.progress = plan, rng, loader, progress
        self.today = timezone.localdate()
        self.now = timezone.now()

    # --- set-up through the services ---------------------------------------------------------

    def run(self) -> None:
        from accreditation.faculty.models import FacultyRules

        self.reference()
        self.admin = self.make_admin()
        self.curriculum()
        # 10 trainees per trainer (the default cap is 8): the bench world raises the cap.
        FacultyRules.objects.update_or_create(pk=1, defaults={"max_trainees_per_trainer": 12})
        self.people()
        self.faculty()
        self.logbook()
        self.enrolments_and_signoffs()
        self.labs()
        from accreditation.faculty.models import Accreditation, Assignment
        from accreditation.logbook.models import Case, CaseStep, SimulatorSession
        from accreditation.signoff.models import Assessment, SignoffRequest
        from curriculum.models import Enrolment
        from labs.models import Booking, Equipment, Lab, LabManager, LabOpeningHours, LabSession
        from rastrack.accounts.models import (
            Portfolio,
            PortfolioUserObjectPermission,
            RegionStay,
            User,
        )

        self.loader.reset_sequences([
            User, User.groups.through, RegionStay, Portfolio, PortfolioUserObjectPermission,
            Accreditation, Assignment, Case, CaseStep, SimulatorSession, Assessment, SignoffRequest,
            Enrolment, Lab, LabManager, LabOpeningHours, Equipment, LabSession, Booking])

    def reference(self) -> None:
        from accreditation.signoff.models import AssessmentDomain, AssessmentTool
        from rastrack.reference import demo as reference_demo
        from rastrack.reference.models import Procedure, ProcedureStep, Region, Site
        from rastrack.reference.specialties import legacy_code

        reference_demo.seed()  # the regions' hospital sites (idempotent)

        self.regions = {r.code: r.pk for r in Region.objects.all()}
        self.sites = defaultdict(list)
        for site in Site.objects.all():
            self.sites[site.region_id].append(site.pk)
        self.procedures = {p.code: p for p in Procedure.objects.all()}
        self.steps = defaultdict(list)  # procedure id -> step ids in order
        for step in ProcedureStep.objects.order_by("procedure_id", "order"):
            self.steps[step.procedure_id].append(step.pk)
        self.proc_tables = {}
        for specialty in SPECIALTY_WEIGHTS:
            # Trainees' specialties are the first catalogue's codes (colorectal, not general
            # surgery's colorectal subspecialty): the mix of cases measured before stays the same.
            procs = sorted((p for p in self.procedures.values()
                            if legacy_code(p.specialty, p.subspecialty) == specialty),
                           key=lambda p: (p.code != INDEX_PROCEDURE[specialty], p.code))
            self.proc_tables[specialty] = _cum([(p.pk, 1 / (rank + 1) ** 1.3) for rank, p in enumerate(procs)])
        self.gears = AssessmentTool.objects.get(code="gears")
        self.gears_domains = list(AssessmentDomain.objects.filter(tool=self.gears).values_list("code", flat=True))
        self.groups = {g.name: g.pk for g in Group.objects.all()}
        self.supervise_perm = Permission.objects.get(codename="supervise_portfolio",
                                                     content_type__app_label="accounts").pk

    def make_admin(self):
        from rastrack.accounts.models import Profession
        from rastrack.accounts.roles import Role
        from rastrack.accounts.services import user_create

        admin = user_create(email=ADMIN_EMAIL, full_name="Bench Admin", password=BENCH_PASSWORD,
                            roles=[Role.PROGRAMME_ADMIN], profession=Profession.OTHER)
        return admin

    def curriculum(self) -> None:
        from curriculum import demo as curriculum_demo
        from curriculum.models import Competency

        self.progress("framework and pathways (services)")
        framework = curriculum_demo._framework(self.admin)
        self.pathways = {spec["code"]: curriculum_demo._pathway(self.admin, framework, spec)
                         for spec in curriculum_demo.PATHWAYS}
        self.competencies = list(Competency.objects.filter(framework=framework).values_list("pk", "key"))

    # --- people ----------------------------------------------------------------------------------

    def people(self) -> None:
        from rastrack.accounts.models import Portfolio, RegionStay, User

        rng, plan = self.rng, self.plan
        password = make_password(BENCH_PASSWORD)
        region_table = _cum([(self.regions[code], w) for code, w in REGION_WEIGHTS.items() if code in self.regions])
        specialty_table = _cum(list(SPECIALTY_WEIGHTS.items()))
        user_cols = ["id", "password", "email", "full_name", "profession", "registration_body",
                     "registration_number", "region_id", "is_active", "is_staff", "is_superuser", "date_joined"]
        users, groups, stays = [], [], []
        group_through = User.groups.through
        five_years = self.today - datetime.timedelta(days=5 * 365)

        def add(email, name, region_id, role, profession="surgeon", joined=five_years):
            uid = self.loader.ids(User, 1)[0]
            users.append((uid, password, email, name, profession, "", "", region_id, True, False, False,
                          _aware(joined, 9, 0)))
            groups.append((self.loader.ids(group_through, 1)[0], uid, self.groups[role]))
            if region_id is not None:
                stays.append((self.loader.ids(RegionStay, 1)[0], uid, region_id, joined, None))
            return uid

        self.leads = {}
        for code, region_id in self.regions.items():
            self.leads[region_id] = add(f"bench.lead.{code}@{BENCH_DOMAIN}", f"Lead {code}", region_id,
                                        "regional_lead")
        # Trainees by region; the first is the learning-curve trainee (London, urology).
        self.trainees: list[Person] = []
        for i in range(1, plan.trainees + 1):
            if i == 1:
                region_id, specialty = self.regions.get("london", next(iter(self.regions.values()))), "urology"
                start = self.today - datetime.timedelta(days=4 * 365)
            else:
                region_id, specialty = _pick(rng, region_table), _pick(rng, specialty_table)
                start = self.today - datetime.timedelta(days=rng.randint(120, 5 * 365))
            uid = add(f"trainee{i:06d}@{BENCH_DOMAIN}", f"Trainee {i:06d}", region_id, "trainee", joined=start)
            self.trainees.append(Person(uid, region_id, start, specialty))
        # Trainers: one per 10 trainees of a region (at least one per region with trainees).
        by_region = defaultdict(list)
        for person in self.trainees:
            by_region[person.region_id].append(person)
        self.trainers: list[Person] = []
        n = 0
        for region_id, people in sorted(by_region.items()):
            for _ in range(max(1, round(len(people) / 10))):
                n += 1
                uid = add(f"trainer{n:05d}@{BENCH_DOMAIN}", f"Trainer {n:05d}", region_id, "trainer",
                          joined=five_years - datetime.timedelta(days=400))
                self.trainers.append(Person(uid, region_id))
        self.by_region = by_region
        self.progress(f"users: {len(users):,} ({len(self.trainees):,} trainees, {len(self.trainers):,} trainers)")
        self.loader.write(User, user_cols, users)
        self.loader.write(group_through, ["id", "user_id", "group_id"], groups)
        self.loader.write(RegionStay, ["id", "user_id", "region_id", "started_on", "ended_on"], stays)
        portfolios = [(pid, p.id, _aware(p.start, 9, 0))
                      for pid, p in zip(self.loader.ids(Portfolio, len(self.trainees)), self.trainees, strict=True)]
        self.portfolio_of = {row[1]: row[0] for row in portfolios}
        self.loader.write(Portfolio, ["id", "trainee_id", "created_at"], portfolios)
        self.users_rows = users

    def faculty(self) -> None:
        from accreditation.faculty.models import Accreditation, Assignment
        from rastrack.accounts.models import PortfolioUserObjectPermission

        rng = self.rng
        accreditations, assignments, perms = [], [], []
        self.accredited: dict[int, bool] = {}
        for index, trainer in enumerate(self.trainers):
            accredited_on = self.today - datetime.timedelta(days=rng.randint(5 * 365 + 30, 7 * 365))
            x = rng.random() if index else 0.0  # the first trainer (the queue trainer) is accredited
            if x < 0.90:
                status, expires_on = "accredited", self.today + datetime.timedelta(days=rng.randint(91, 1000))
            elif x < 0.95:
                status, expires_on = "accredited", self.today + datetime.timedelta(days=rng.randint(1, 90))
            elif x < 0.98:
                status, expires_on = "lapsed", self.today - datetime.timedelta(days=rng.randint(1, 300))
            elif x < 0.99:
                status, expires_on = "suspended", self.today + datetime.timedelta(days=rng.randint(30, 600))
            else:
                status, expires_on = "revoked", self.today + datetime.timedelta(days=rng.randint(30, 600))
            self.accredited[trainer.id] = status == "accredited"
            accreditations.append((self.loader.ids(Accreditation, 1)[0], trainer.id, status, accredited_on,
                                   expires_on, "urology", ["davinci_xi"], "" if status == "accredited" else "Bench",
                                   _aware(accredited_on), _aware(accredited_on), _aware(accredited_on)))
        # Each trainee: an educational supervisor of their region (round robin over its
        # accredited trainers), and a clinical supervisor for one in five.
        trainers_by_region = defaultdict(list)
        for trainer in self.trainers:
            trainers_by_region[trainer.region_id].append(trainer)
        for region_id, people in self.by_region.items():
            pool = [t for t in trainers_by_region[region_id] if self.accredited[t.id]] or trainers_by_region[region_id]
            for i, trainee in enumerate(people):
                es = pool[i % len(pool)]
                trainee.extra["es"] = es.id
                rows = [(es.id, "educational_supervisor")]
                if len(pool) > 1 and rng.random() < 0.2:
                    rows.append((pool[(i + 1) % len(pool)].id, "clinical_supervisor"))
                for trainer_id, kind in rows:
                    assignments.append((self.loader.ids(Assignment, 1)[0], trainer_id, trainee.id, kind,
                                        trainee.start, None, self.admin.pk, _aware(trainee.start, 9, 0),
                                        None, None))
                    perms.append((self.loader.ids(PortfolioUserObjectPermission, 1)[0], self.supervise_perm,
                                  trainer_id, self.portfolio_of[trainee.id]))
        self.loader.write(Accreditation, ["id", "trainer_id", "status", "accredited_on", "expires_on", "specialty",
                                          "platforms", "status_reason", "status_changed_at", "created_at",
                                          "updated_at"], accreditations)
        self.loader.write(Assignment, ["id", "trainer_id", "trainee_id", "kind", "starts_on", "ends_on",
                                       "created_by_id", "created_at", "ended_by_id", "ended_at"], assignments)
        self.loader.write(PortfolioUserObjectPermission, ["id", "permission_id", "user_id", "content_object_id"],
                          perms)
        self.progress(f"faculty: {len(accreditations):,} accreditations, {len(assignments):,} assignments")

    # --- the logbook -----------------------------------------------------------------------------

    def case_counts(self) -> list[int]:
        rng, plan = self.rng, self.plan
        others = self.trainees[1:]
        weights = [rng.lognormvariate(0, 0.8) for _ in others]
        remaining = plan.cases - plan.curve_cases
        total = sum(weights)
        counts = [max(1, int(w / total * remaining)) for w in weights]
        # Fix the rounding so that the world has exactly N cases.
        diff = remaining - sum(counts)
        i = 0
        while diff != 0:
            j = i % len(counts)
            if diff > 0:
                counts[j] += 1
                diff -= 1
            elif counts[j] > 1:
                counts[j] -= 1
                diff += 1
            i += 1
        return [plan.curve_cases, *counts]

    def logbook(self) -> None:
        from accreditation.logbook.models import Case, CaseStep, SimulatorSession
        from accreditation.signoff.models import Assessment

        case_cols = ["id", "trainee_id", "date", "site_id", "platform", "procedure_id", "role", "supervision",
                     "console_minutes", "docking_minutes", "total_minutes", "conversion", "complication_grade",
                     "supervisor_id", "supervisor_name", "case_reference", "notes", "status", "validator_id",
                     "submitted_at", "decided_at", "decided_by_id", "rejection_reason", "validated_role",
                     "validated_supervision", "disagreement", "created_at", "updated_at",
                     "trainer_position", "validated_trainer_position", "urgency", "asa_grade"]
        step_cols = ["id", "case_id", "step_id", "role", "takeover"]
        # Legacy-shaped sessions (a typed exercise and score): the load they put on progress.
        sim_cols = ["id", "trainee_id", "date", "simulator", "exercise_name", "score", "minutes", "verified_by_id",
                    "verified_at", "created_at", "metrics", "benchmarks", "provenance"]
        assess_cols = ["id", "trainee_id", "assessor_id", "tool_id", "case_id", "date", "is_self", "scores",
                       "total", "feedback", "blind_until", "created_at"]
        counts = self.case_counts()
        platform_table, complication_table = _cum(PLATFORMS), _cum(COMPLICATIONS)
        rng = self.rng
        buf_cases, buf_steps, buf_sims, buf_assess = [], [], [], []
        done = 0
        self.console_cases_of: dict[int, int] = {}

        def flush(final=False):
            nonlocal buf_cases, buf_steps, buf_sims, buf_assess
            if len(buf_cases) >= BATCH or final:
                self.loader.write(Case, case_cols, buf_cases)
                self.loader.write(CaseStep, step_cols, buf_steps)
                self.loader.write(SimulatorSession, sim_cols, buf_sims)
                self.loader.write(Assessment, assess_cols, buf_assess)
                buf_cases, buf_steps, buf_sims, buf_assess = [], [], [], []
                self.progress("cases", done, self.plan.cases)

        for trainee, n in zip(self.trainees, counts, strict=True):
            es = trainee.extra["es"]
            sites = self.sites[trainee.region_id]
            span = max(1, (self.today - trainee.start).days - 1)
            days = sorted(rng.randint(0, span) for _ in range(n))
            curve = trainee.id == self.trainees[0].id
            proc_table = self.proc_tables[trainee.specialty]
            drafts = rng.choice((0, 0, 1, 2))
            submitted = rng.randint(2, 9) if curve else rng.randint(0, 8)
            per_proc: dict[int, int] = defaultdict(int)
            console = 0
            ids = self.loader.ids(Case, n)
            for k, (case_id, offset) in enumerate(zip(ids, days, strict=True)):
                date = trainee.start + datetime.timedelta(days=offset)
                f = k / n
                if curve:
                    proc_id = self.procedures["rarp"].pk if rng.random() < 0.8 else _pick(rng, proc_table)
                else:
                    proc_id = _pick(rng, proc_table)
                x = f + rng.uniform(-0.08, 0.08)
                if x < 0.04:
                    role, supervision = "observer", "O"
                elif x < 0.18:
                    role, supervision = "bedside_assistant", "A"
                elif x < 0.55:
                    role = "console_part"
                    supervision = "S-TS" if x < 0.4 else "S-TU"
                else:
                    role = "console_whole"
                    supervision = "S-TU" if x < 0.8 else "P"
                console_role = role in ("console_whole", "console_part")
                steps = self.steps[proc_id]
                if console_role:
                    j = per_proc[proc_id]
                    per_proc[proc_id] += 1
                    console += 1
                    plateau = 70 + 9 * len(steps)
                    minutes = (plateau + 90 * math.exp(-j / 12)) * rng.gauss(1, 0.12)
                    if role == "console_part":
                        minutes *= 0.55
                    console_minutes = max(10, int(minutes))
                    docking = min(240, max(3, int(7 + 13 * math.exp(-j / 18) + rng.gauss(0, 2))))
                    total = min(1440, console_minutes + docking + rng.randint(25, 70))
                    m = len(steps) if role == "console_whole" else max(1, int(len(steps) * min(1.0, f * 1.6)))
                    for step_id in steps[:m]:
                        buf_steps.append((self.loader.ids(CaseStep, 1)[0], case_id, step_id, "console", False))
                else:
                    console_minutes, docking, total = None, None, rng.randint(120, 300)
                # Status: the newest are drafts, then submitted (waiting), the rest decided.
                from_end = n - 1 - k
                if from_end < drafts:
                    status = "draft"
                elif from_end < drafts + submitted:
                    status = "submitted"
                else:
                    status = "rejected" if rng.random() < 0.01 else "validated"
                submitted_at = decided_at = decided_by = None
                validated_role = validated_supervision = reason = ""
                disagreement = False
                created = min(_aware(date, 20, rng.randint(0, 59)), self.now)
                if status != "draft":
                    submitted_at = min(_aware(date + datetime.timedelta(days=1), 19, rng.randint(0, 59)), self.now)
                if status in ("validated", "rejected"):
                    decided_at = min(submitted_at + datetime.timedelta(hours=rng.expovariate(1 / 96)), self.now)
                    decided_by = es
                if status == "validated":
                    validated_role, validated_supervision = role, supervision
                    # A trainer's correction, held to the role x code table: A only on a part case.
                    if console_role and rng.random() < 0.03:
                        validated_supervision = "A" if role == "console_part" else "S-TS"
                        disagreement = True
                if status == "rejected":
                    reason = "Please correct the steps you performed and submit it again."
                buf_cases.append((
                    case_id, trainee.id, date, sites[k % len(sites)], _pick(rng, platform_table), proc_id, role,
                    supervision, console_minutes, docking, total,
                    "none" if rng.random() > 0.025 else ("laparoscopic" if rng.random() < 0.8 else "open"),
                    _pick(rng, complication_table), es if console_role else None, "", "",
                    NOTES[k % len(NOTES)] if rng.random() < 0.1 else "", status, es, submitted_at, decided_at,
                    decided_by, reason, validated_role, validated_supervision, disagreement, created,
                    decided_at or submitted_at or created, "", "", "elective", None))
                # Assessments: the trainer rates about one console case in eight; the trainee
                # rates a third of those themself.
                if console_role and status == "validated" and rng.random() < 0.125:
                    level = min(5, 1 + int(f * 4.5))
                    scores = {code: max(1, min(5, level + rng.choice((-1, 0, 0, 1)))) for code in self.gears_domains}
                    buf_assess.append((self.loader.ids(Assessment, 1)[0], trainee.id, es, self.gears.pk, case_id, date, False, scores,
                                       sum(scores.values()), "", date + datetime.timedelta(days=7),
                                       _aware(date, 21)))
                    if rng.random() < 0.33:
                        own = {code: max(1, min(5, v + rng.choice((0, 1)))) for code, v in scores.items()}
                        buf_assess.append((self.loader.ids(Assessment, 1)[0], trainee.id, trainee.id, self.gears.pk, case_id, date, True, own,
                                           sum(own.values()), "", None, _aware(date, 21, 30)))
            self.console_cases_of[trainee.id] = console
            # Simulator sessions: about one for every ten cases, early in training.
            for s in range(max(2, n // 10)):
                day = trainee.start + datetime.timedelta(days=int(span * (s / max(2, n // 10)) * 0.5))
                verified = rng.random() < 0.5
                buf_sims.append((self.loader.ids(SimulatorSession, 1)[0], trainee.id, day, SIMULATORS[s % len(SIMULATORS)],
                                 EXERCISES[s % len(EXERCISES)],
                                 round(max(0.0, min(100.0, 55 + 40 * (1 - math.exp(-s / 6)) + rng.gauss(0, 4))), 2),
                                 rng.randint(20, 90), es if verified else None,
                                 _aware(day, 21) if verified else None, _aware(day, 20), {}, {},
                                 "trainer_verified" if verified else "self_reported"))
            done += n
            flush()
        flush(final=True)

    # --- curriculum: enrolments and sign-off requests ----------------------------------------------

    def enrolments_and_signoffs(self) -> None:
        from accreditation.signoff.models import SignoffRequest
        from curriculum.models import Enrolment

        rng = self.rng
        literacy, console = self.pathways["robotic-literacy"], self.pathways["console-surgeon"]
        enrol_cols = ["id", "trainee_id", "pathway_id", "status", "enrolled_on", "target_date", "enrolled_by_id",
                      "completed_on", "withdrawn_on", "created_at"]
        signoff_cols = ["id", "trainee_id", "trainer_id", "target", "competency_id", "component_id",
                        "enrolment_id", "target_key", "note", "status", "due_on", "created_at", "decided_at",
                        "decided_by_id", "feedback", "reversed_at", "reversed_by_id", "reversal_reason",
                        "withdrawn_at"]
        enrolments, signoffs = [], []
        statuses = _cum([("approved", 0.55), ("pending", 0.15), ("returned", 0.15), ("withdrawn", 0.10),
                         ("reversed", 0.05)])
        for index, trainee in enumerate(self.trainees):
            start = trainee.start
            age = (self.today - start).days
            done = age > 400 and rng.random() < 0.7 and index
            enrolments.append((self.loader.ids(Enrolment, 1)[0], trainee.id, literacy.pk,
                               "completed" if done else "active", start, start + datetime.timedelta(weeks=52),
                               self.admin.pk, start + datetime.timedelta(days=rng.randint(200, 360)) if done else None,
                               None, _aware(start, 9)))
            if index == 0 or self.console_cases_of.get(trainee.id, 0) >= 40:
                on = min(start + datetime.timedelta(days=365), self.today - datetime.timedelta(days=30))
                enrolments.append((self.loader.ids(Enrolment, 1)[0], trainee.id, console.pk, "active", on,
                                   on + datetime.timedelta(weeks=104), self.admin.pk, None, None, _aware(on, 9)))
            for competency_id, key in rng.sample(self.competencies, k=min(len(self.competencies), rng.randint(2, 8))):
                status = _pick(rng, statuses)
                created = _aware(start + datetime.timedelta(days=rng.randint(0, max(0, age - 1))), 10)
                if status == "pending":
                    # Most pending requests are recent; some are overdue.
                    created = self.now - datetime.timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23))
                decided_at = decided_by = reversed_at = reversed_by = withdrawn_at = None
                feedback = reason = ""
                if status in ("approved", "returned", "reversed"):
                    decided_at = min(created + datetime.timedelta(hours=rng.expovariate(1 / 120)), self.now)
                    decided_by = trainee.extra["es"]
                if status == "returned":
                    feedback = "Please add the cases that show this."
                if status == "reversed":
                    reversed_at, reversed_by, reason = decided_at, self.admin.pk, "Signed off in error."
                if status == "withdrawn":
                    withdrawn_at = min(created + datetime.timedelta(days=2), self.now)
                signoffs.append((self.loader.ids(SignoffRequest, 1)[0], trainee.id, trainee.extra["es"],
                                 "competency", competency_id, None, None, f"competency:{key}", "", status,
                                 created.date() + datetime.timedelta(days=14), created, decided_at, decided_by,
                                 feedback, reversed_at, reversed_by, reason, withdrawn_at))
        self.loader.write(Enrolment, enrol_cols, enrolments)
        self.loader.write(SignoffRequest, signoff_cols, signoffs)
        self.progress(f"enrolments: {len(enrolments):,}, sign-off requests: {len(signoffs):,}")

    # --- labs ------------------------------------------------------------------------------------

    def labs(self) -> None:
        from labs.models import Booking, Equipment, Lab, LabManager, LabOpeningHours, LabSession
        from rastrack.accounts.models import User

        rng, plan = self.rng, self.plan
        region_ids = sorted(self.by_region, key=lambda r: -len(self.by_region[r])) or list(self.regions.values())
        password = self.users_rows[0][1]
        group_through = User.groups.through
        users, groups, stays, labs, managers, hours, equipment = [], [], [], [], [], [], []
        self.lab_list = []
        for i in range(1, plan.labs + 1):
            region_id = region_ids[(i - 1) % len(region_ids)]
            uid = self.loader.ids(User, 1)[0]
            joined = self.today - datetime.timedelta(days=6 * 365)
            users.append((uid, password, f"labmanager{i:04d}@{BENCH_DOMAIN}", f"Lab manager {i:04d}", "nurse", "",
                          "", region_id, True, False, False, _aware(joined, 9, 0)))
            groups.append((self.loader.ids(group_through, 1)[0], uid, self.groups["lab_manager"]))
            from rastrack.accounts.models import RegionStay

            stays.append((self.loader.ids(RegionStay, 1)[0], uid, region_id, joined, None))
            lab_id = self.loader.ids(Lab, 1)[0]
            labs.append((lab_id, f"Bench skills lab {i:04d}", region_id, self.sites[region_id][i % len(self.sites[region_id])],
                         "", "", _aware(joined, 9)))
            managers.append((self.loader.ids(LabManager, 1)[0], lab_id, uid, _aware(joined, 9)))
            for weekday in range(5):
                hours.append((self.loader.ids(LabOpeningHours, 1)[0], lab_id, weekday, datetime.time(8),
                              datetime.time(18)))
            for kind, model, count in (("vr_console_simulator", "da Vinci SimNow", 2),
                                       ("dry_lab_robot", "da Vinci Xi (training)", 1),
                                       ("box_trainer", "Box trainer", 4)):
                equipment.append((self.loader.ids(Equipment, 1)[0], lab_id, kind, model, count, "available", "",
                                  None))
            self.lab_list.append((lab_id, region_id, uid))
        self.loader.write(User, ["id", "password", "email", "full_name", "profession", "registration_body",
                                 "registration_number", "region_id", "is_active", "is_staff", "is_superuser",
                                 "date_joined"], users)
        self.loader.write(group_through, ["id", "user_id", "group_id"], groups)
        self.loader.write(RegionStay, ["id", "user_id", "region_id", "started_on", "ended_on"], stays)
        self.loader.write(Lab, ["id", "name", "region_id", "site_id", "address", "description", "created_at"], labs)
        self.loader.write(LabManager, ["id", "lab_id", "user_id", "created_at"], managers)
        self.loader.write(LabOpeningHours, ["id", "lab_id", "weekday", "opens", "closes"], hours)
        self.loader.write(Equipment, ["id", "lab_id", "kind", "model", "count", "status", "notes",
                                      "status_changed_at"], equipment)

        session_cols = ["id", "lab_id", "title", "kind", "starts_at", "ends_at", "seats", "seats_booked",
                        "component_id", "prerequisite_id", "notes", "status", "equipment_flagged", "created_by_id",
                        "created_at", "cancelled_at", "cancelled_by_id", "cancel_reason"]
        booking_cols = ["id", "session_id", "trainee_id", "status", "created_at", "waitlisted_at", "confirmed_at",
                        "cancelled_at", "cancelled_by_id", "attendance_marked_at", "attendance_marked_by_id"]
        sessions, bookings = [], []
        first = self.today - datetime.timedelta(days=5 * 365)
        horizon = (5 * 365) + 90
        done = 0
        for s in range(plan.sessions):
            lab_id, region_id, manager = self.lab_list[s % len(self.lab_list)]
            day = first + datetime.timedelta(days=rng.randint(0, horizon))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            starts = _aware(day, rng.choice((9, 13)), 0)
            ends = starts + datetime.timedelta(hours=3)
            seats = rng.randint(4, 12)
            cancelled = rng.random() < 0.03
            past = ends < self.now
            pool = self.by_region.get(region_id) or self.trainees
            demand = min(len(pool), rng.randint(seats // 2, seats + 3))
            sid = self.loader.ids(LabSession, 1)[0]
            held = 0
            for b, person in enumerate(rng.sample(pool, demand)):
                created = starts - datetime.timedelta(days=rng.randint(3, 40), minutes=b)
                row = dict(status="confirmed", waitlisted_at=None, confirmed_at=created, cancelled_at=None,
                           cancelled_by_id=None, attendance_marked_at=None, attendance_marked_by_id=None)
                if b >= seats:
                    row.update(status="waitlisted", waitlisted_at=created, confirmed_at=None)
                    if past or cancelled:
                        row.update(status="cancelled", cancelled_at=starts - datetime.timedelta(hours=1))
                elif cancelled:
                    row.update(status="cancelled", cancelled_at=starts - datetime.timedelta(days=1),
                               cancelled_by_id=manager)
                elif past:
                    attended = rng.random() < 0.85
                    row.update(status="attended" if attended else "no_show",
                               attendance_marked_at=ends + datetime.timedelta(hours=1),
                               attendance_marked_by_id=manager)
                if row["status"] in ("confirmed", "attended", "no_show"):
                    held += 1
                bookings.append((self.loader.ids(Booking, 1)[0], sid, person.id, row["status"], created,
                                 row["waitlisted_at"], row["confirmed_at"], row["cancelled_at"],
                                 row["cancelled_by_id"], row["attendance_marked_at"],
                                 row["attendance_marked_by_id"]))
            sessions.append((sid, lab_id, "", SESSION_KINDS[s % len(SESSION_KINDS)], starts, ends, seats, held,
                             None, None, "", "cancelled" if cancelled else "scheduled", False, manager,
                             starts - datetime.timedelta(days=45),
                             starts - datetime.timedelta(days=1) if cancelled else None,
                             manager if cancelled else None, "Faculty unavailable." if cancelled else ""))
            done += 1
            if len(bookings) >= BATCH:
                self.loader.write(LabSession, session_cols, sessions)
                self.loader.write(Booking, booking_cols, bookings)
                sessions, bookings = [], []
                self.progress("lab sessions", done, plan.sessions)
        # The session the booking-under-contention benchmark fights over: far in the future,
        # at an hour no other session uses, four seats, nobody booked.
        lab_id, region_id, manager = self.lab_list[0]
        day = self.today + datetime.timedelta(days=200)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        sessions.append((self.loader.ids(LabSession, 1)[0], lab_id, CONTENTION_TITLE, "simulation",
                         _aware(day, 16, 0), _aware(day, 17, 30), 4, 0, None, None, "", "scheduled", False,
                         manager, self.now, None, None, ""))
        self.loader.write(LabSession, session_cols, sessions)
        self.loader.write(Booking, booking_cols, bookings)
        self.progress("lab sessions", done, plan.sessions)


def summary() -> dict:
    """Counts of the main tables and the fixed actors' ids (for the harness and the test)."""
    from accreditation.logbook.models import Case
    from rastrack.accounts.models import User

    out = {"cases": Case.objects.count(),
           "trainees": User.objects.filter(groups__name="trainee", email__endswith=BENCH_DOMAIN).count(),
           "trainers": User.objects.filter(groups__name="trainer", email__endswith=BENCH_DOMAIN).count()}
    from labs.models import Lab

    out["labs"] = Lab.objects.filter(name__startswith="Bench skills lab").count()
    return out


def dumps(data) -> str:
    return json.dumps(data, indent=2, default=str)
