"""The RASTrack benchmark: `make bench`, or `python bench/run.py --cases N`.

1. Makes sure the bench database `rastrack_bench_<N>` exists on PostgreSQL (127.0.0.1:5432,
   override with BENCH_PG_URL), migrates it and loads the world with `seed_bench` if it is
   not there yet (the load time is kept in bench/results/world-<db>.json).
2. Starts gunicorn (the real WSGI app, DEBUG off, Redis db 4 as cache, the floor views
   added under /bench/floor/) on a free port.
3. Drives it with a small load generator (threads, keep-alive `http.client`), endpoint by
   endpoint, then the floors, and records p50 / p95 / p99 latency, requests per second,
   errors, and each endpoint's ratio to its floor.
4. Counts the SQL queries of the list endpoints at page sizes 10 and 100 (in-process).
5. Writes bench/results/<YYYY-MM-DD>[-<N>].json and prints a Markdown table.

Nothing here is a test: no figure fails a run. The targets are judged in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "bench" / "results"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- set-up --------------------------------------------------------------------------------------


def _credential_keys() -> str:
    """A throw-away credential signing key set (settings require one outside DEBUG)."""
    import json

    from joserfc.jwk import OKPKey

    return json.dumps({"keys": [OKPKey.generate_key("Ed25519").as_dict(private=True)]})


def bench_env(db_url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DEBUG": "false",
        "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "CREDENTIAL_SIGNING_KEYS": env.get("CREDENTIAL_SIGNING_KEYS") or _credential_keys(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "http://127.0.0.1:8000",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"),
        "THROTTLE_USER": "100000000/hour",
        "THROTTLE_ANON": "100000000/hour",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        "RASTRACK_VAR_DIR": env.get("BENCH_VAR_DIR", str(ROOT / "var" / "bench")),
    })
    try:  # Redis is optional: without it the bench server caches in memory, per worker
        import redis

        redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        log(f"Redis at {env['REDIS_URL']} does not answer: running without it")
        env.pop("REDIS_URL")
    return env


def ensure_database(server_url: str, name: str, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            log(f"dropping {name} (--fresh)")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,  # noqa: S603
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout or ""


def ensure_world(env: dict, db: str, cases: int, summaries: bool = True) -> dict:
    import psycopg

    marker = RESULTS / f"world-{db}.json"
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        seeded = conn.execute("SELECT 1 FROM accounts_user WHERE email = 'bench.admin@bench.rastrack.org'"
                              ).fetchone()
    if seeded and marker.exists():
        world = json.loads(marker.read_text())
        log(f"world of {world['plan']['cases']:,} cases already loaded (in {world['seconds']}s)")
        if "summary_tables_seconds" not in world:  # loaded before the dashboards' summary tables
            log("rebuilding the dashboards' summary tables")
            started = time.monotonic()
            manage(env, "shell", "-c", "from bench.world import rebuild_summary_tables; rebuild_summary_tables()")
            world["summary_tables_seconds"] = round(time.monotonic() - started, 1)
            marker.write_text(json.dumps(world, indent=2))
        if summaries and "summaries_seconds" not in world:  # loaded without the progress summaries
            log("computing the progress summaries (refresh_progress --all)")
            started = time.monotonic()
            manage(env, "shell", "-c", "from bench.world import refresh_summaries; refresh_summaries()")
            world["summaries_seconds"] = round(time.monotonic() - started, 1)
            marker.write_text(json.dumps(world, indent=2))
        return world
    if seeded:
        raise SystemExit(f"{db} holds a bench world without {marker.name}: rerun with --fresh")
    log(f"loading the world of {cases:,} cases (seed_bench)")
    started = time.monotonic()
    out = manage(env, "seed_bench", "--cases", str(cases), *([] if summaries else ["--no-summaries"]),
                 capture=True)
    world = json.loads(out[out.index("{"): out.rindex("}") + 1])
    world["wall_seconds"] = round(time.monotonic() - started, 1)
    world["loaded_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(world, indent=2))
    return world


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [str(Path(PY).parent / "gunicorn"), "rastrack.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
               "--timeout", "120", "--keep-alive", "75", "--log-level", "warning"]
    log(" ".join(command[1:]))
    proc = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own fixed command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


# --- the actors and their tokens (in-process Django) ---------------------------------------------


def actors(writers: int = 8) -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from bench import world as bench_world
    from curriculum.models import Enrolment
    from labs.models import Booking, LabSession
    from rastrack.accounts.models import User
    from rastrack.accounts.tokens import token_issue
    from rastrack.reference.models import Procedure, ProcedureStep, Region, Site

    def token(user) -> str:
        return token_issue(user)

    admin = User.objects.get(email=bench_world.ADMIN_EMAIL)
    curve = User.objects.get(email=bench_world.CURVE_TRAINEE_EMAIL)
    london = Region.objects.get(pk=curve.region_id)
    lead = User.objects.get(email=f"bench.lead.{london.code}@{bench_world.BENCH_DOMAIN}")
    queue_trainer = User.objects.get(pk=curve.cases.order_by("-id").values_list("validator_id", flat=True)[0])
    rarp = Procedure.objects.get(code="rarp")
    enrolment = Enrolment.objects.get(trainee=curve, pathway__code="console-surgeon", status="active")
    session = LabSession.objects.get(title=bench_world.CONTENTION_TITLE)
    # Clients of the write scenarios: trainees of the curve trainee's region with a validator.
    pool = list(User.objects.filter(groups__name="trainee", region_id=curve.region_id,
                                    email__endswith=bench_world.BENCH_DOMAIN)
                .exclude(pk=curve.pk).order_by("pk")[:2 * writers])
    sites = list(Site.objects.filter(region_id=curve.region_id).values_list("pk", flat=True))
    steps = list(ProcedureStep.objects.filter(procedure=rarp).order_by("order").values_list("pk", flat=True)[:3])
    # A previous run's bookings of the contention session: cancelled by the run itself;
    # any left over (an interrupted run) are cleared so the session starts empty.
    leftover = Booking.objects.filter(session=session).exclude(status="cancelled").count()
    if leftover:
        log(f"{leftover} live bookings left on the contention session from an interrupted run: cancelling")
        from django.utils import timezone

        def bulk(qs, **fields):  # audited models refuse plain update() (rastrack/audit/querysets.py)
            if hasattr(qs, "unaudited_update"):
                return qs.unaudited_update("bench: clear an interrupted run's bookings", **fields)
            return qs.update(**fields)

        bulk(Booking.objects.filter(session=session).exclude(status="cancelled"),
             status="cancelled", cancelled_at=timezone.now())
        bulk(LabSession.objects.filter(pk=session.pk), seats_booked=0)
        bench_world.rebuild_summary_tables()  # the bulk cancel went behind the services' back
    counts = {
        "users": User.objects.count(),
        "cases_of_curve_trainee": curve.cases.count(),
        "queue_length": queue_trainer.cases_to_validate.filter(status="submitted").count(),
        "trainees_by_region": dict(User.objects.filter(groups__name="trainee").values_list("region__code")
                                   .annotate(n=Count("id")).values_list("region__code", "n")),
    }
    return {
        "admin": token(admin), "lead": token(lead), "curve": token(curve), "trainer": token(queue_trainer),
        "writers": [token(u) for u in pool[:writers]], "bookers": [token(u) for u in pool[writers:2 * writers]],
        "region": london.pk, "rarp": rarp.pk, "enrolment": enrolment.pk, "session": session.pk,
        "sites": sites, "steps": steps, "counts": counts,
    }


def query_counts(tokens: dict) -> dict:
    """SQL queries per request, at page sizes 10 and 100 (they should not grow with the page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    out = {}

    def count(name, token, path):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        # Once unmeasured: a process's first request fills its caches (content types, the
        # token's last use), which a serving worker pays once, not per request.
        client.get(path, HTTP_ACCEPT="application/json")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, HTTP_ACCEPT="application/json")
        out[name] = {"status": response.status_code, "queries": len(ctx.captured_queries)}

    for size in (10, 100):
        count(f"logbook_page_size_{size}", tokens["curve"], f"/api/v1/cases/?page_size={size}")
        count(f"queue_page_size_{size}", tokens["trainer"], f"/api/v1/cases/queue/?page_size={size}")
    count("learning_curve", tokens["curve"], f"/api/v1/cases/learning-curve/?procedure={tokens['rarp']}")
    count("progress", tokens["curve"], f"/api/v1/enrolments/{tokens['enrolment']}/progress/")
    count("dashboard_region", tokens["lead"], f"/api/v1/dashboards/regions/{tokens['region']}/")
    count("dashboard_national", tokens["admin"], "/api/v1/dashboards/national/")
    return out


# --- the load generator ---------------------------------------------------------------------------


class Client:
    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

        self.last_server: tuple[float, int] = (float("nan"), -1)  # (server CPU ms, queries)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (OSError, http.client.HTTPException):
                # A keep-alive connection the server closed while idle: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt == 2:
                    return 599, b"", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        self.last_server = (float(response.getheader("X-Bench-Cpu-Ms") or "nan"),
                            int(response.getheader("X-Bench-Queries") or "-1"))
        return response.status, payload, elapsed


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_load(name: str, port: int, tokens: list[str], step, *, seconds: float, warmup: int,
             min_requests: int) -> dict:
    """`step(client, i)` makes the calls of one iteration and returns [(status, seconds)] to
    record. Runs len(tokens) clients at once for `seconds` (at least `min_requests` in all)."""
    latencies: list[float] = []
    server: list[tuple[float, int]] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    clients = [Client(port, t) for t in tokens]
    for client in clients:  # warm-up: connections, worker caches, PostgreSQL buffers
        for i in range(warmup):
            step(client, -1 - i)
    stop_at = time.monotonic() + seconds
    hard_stop = time.monotonic() + max(seconds * 6, 60)

    def worker(client: Client, index: int):
        i = 0
        while True:
            now = time.monotonic()
            with lock:
                done = len(latencies)
            if now > hard_stop or (now > stop_at and done >= min_requests):
                return
            for status, elapsed in step(client, index * 1_000_000 + i):
                with lock:
                    latencies.append(elapsed)
                    server.append(client.last_server)
                    statuses[status] = statuses.get(status, 0) + 1
            i += 1

    load_before = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else ""
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    errors = sum(n for s, n in statuses.items() if s >= 400)
    result = {
        "name": name, "clients": len(clients), "requests": len(latencies), "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": errors, "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_cpu_p50_ms": round(percentile([s[0] for s in server], 0.50), 1),
        "server_cpu_p95_ms": round(percentile([s[0] for s in server], 0.95), 1),
        "queries": sorted({s[1] for s in server}),
        "loadavg_1m": [load_before, Path("/proc/loadavg").read_text().split()[0]
                       if Path("/proc/loadavg").exists() else ""],
    }
    log(f"{name:<28} c={len(clients)} n={result['requests']:<5} p50={result['p50_ms']:>8}ms "
        f"p95={result['p95_ms']:>8}ms p99={result['p99_ms']:>8}ms rps={result['rps']:>7} errors={errors} "
        f"cpu50={result['server_cpu_p50_ms']}ms q={result['queries']}")
    return result


def get(path: str):
    def step(client: Client, i: int):
        status, _, elapsed = client.call("GET", path)
        return [(status, elapsed)]

    return step


def case_create(info: dict, path: str = "/api/v1/cases/"):
    """POST one case with three steps to `path`: the API, or the floor that writes the same."""
    today = datetime.datetime.now(datetime.UTC).date()

    def step(client: Client, i: int):
        body = {"date": str(today - datetime.timedelta(days=1 + abs(i) % 20)),
                "site": info["sites"][abs(i) % len(info["sites"])], "platform": "davinci_xi",
                "procedure": info["rarp"], "role": "console_whole", "supervision": "S-TU",
                "console_minutes": 150, "docking_minutes": 9, "total_minutes": 200,
                "steps": [{"step": s, "role": "console"} for s in info["steps"]]}
        status, _, elapsed = client.call("POST", path, body)
        return [(status, elapsed)]

    return step


def booking_contention(info: dict, cancels: list):
    """Book the one contended session, then cancel (which promotes the waitlist): the
    booking's latency is recorded, the cancel's is kept apart."""

    def step(client: Client, i: int):
        status, payload, elapsed = client.call("POST", "/api/v1/bookings/", {"session": info["session"]})
        if status == 201:
            booking = json.loads(payload)["id"]
            c_status, _, c_elapsed = client.call("POST", f"/api/v1/bookings/{booking}/cancel/")
            cancels.append((c_status, c_elapsed))
        return [(status, elapsed)]

    return step


# --- main -------------------------------------------------------------------------------------------


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        model = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        info["cpu"] = model[0] if model else ""
        mem = [line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")]
        info["memory"] = mem[0].split(":", 1)[1].strip() if mem else ""
        info["loadavg_at_start"] = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        pass
    try:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            info["shared_buffers"] = conn.execute("SHOW shared_buffers").fetchone()[0]
    except Exception:  # noqa: BLE001, S110 - informative only
        pass
    return info


def live_months() -> str:
    """The default dashboard period (five months back to two ahead) given explicitly."""
    from labs.capacity import default_period

    start, end = default_period()  # Django is set up by then (actors())
    return f"from={start:%Y-%m}&to={end:%Y-%m}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", ""))
    parser.add_argument("--fresh", action="store_true", help="Drop and reload the bench database.")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 2)))
    parser.add_argument("--read-clients", type=int, default=int(os.environ.get("BENCH_READ_CLIENTS", 1)))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                        help="Comma-separated scenario names (default: all).")
    parser.add_argument("--no-summaries", action="store_true", default=bool(os.environ.get("BENCH_NO_SUMMARIES")),
                        help="Do not compute the dashboards' progress summaries after the load (they take "
                             "about as long per live enrolment as the progress page).")
    parser.add_argument("--label", default=os.environ.get("BENCH_LABEL", ""),
                        help="Appended to the result file name, e.g. 'before'.")
    args = parser.parse_args(argv)

    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    db = args.db or f"rastrack_bench_{args.cases}"
    if not db.startswith("rastrack_bench"):
        raise SystemExit("The bench database's name must start with rastrack_bench.")
    env = bench_env(f"{server}/{db}")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    ensure_database(server, db, args.fresh)
    log("migrating")
    manage(env, "migrate", "--no-input", "-v", "0")
    world = ensure_world(env, db, args.cases, summaries=not args.no_summaries)
    if env.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # the bench's own db (4): its cache and broker
    # What beat does every DASHBOARD_REFRESH_SECONDS: the default dashboards' snapshots.
    log("refreshing the dashboard snapshots (labs.refresh_dashboards)")
    manage(env, "shell", "-c", "from dashboards.snapshots import refresh_dashboards; refresh_dashboards()")
    info = actors()
    log(f"counts: {info['counts']}")
    queries = query_counts(info)
    log(f"queries: {queries}")
    deep_page = max(1, math.ceil(info["counts"]["cases_of_curve_trainee"] / 25))

    port = free_port()
    proc = start_gunicorn(env, port, args.workers, args.threads)
    results: list[dict] = []
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    rc = args.read_clients
    secs = args.seconds
    curve, trainer, admin, lead = info["curve"], info["trainer"], info["admin"], info["lead"]
    scenarios = [
        # (name, tokens, step, floor name or None, warm-up per client, min requests)
        ("logbook_first_page", [curve] * rc, get("/api/v1/cases/?page=1"), "logbook_first_page_floor", 5, 30),
        ("logbook_first_page_floor", [curve] * rc, get("/bench/floor/logbook/?page=1"), None, 5, 30),
        ("logbook_deep_page", [curve] * rc, get(f"/api/v1/cases/?page={deep_page}"), "logbook_deep_page_floor", 5, 30),
        ("logbook_deep_page_floor", [curve] * rc, get(f"/bench/floor/logbook/?page={deep_page}"), None, 5, 30),
        ("validation_queue", [trainer] * rc, get("/api/v1/cases/queue/"), "validation_queue_floor", 5, 30),
        ("validation_queue_floor", [trainer] * rc, get("/bench/floor/queue/"), None, 5, 30),
        ("learning_curve", [curve] * rc, get(f"/api/v1/cases/learning-curve/?procedure={info['rarp']}"),
         "learning_curve_floor", 5, 30),
        ("learning_curve_floor", [curve] * rc, get(f"/bench/floor/learning-curve/?procedure={info['rarp']}"),
         None, 5, 30),
        ("progress", [curve] * rc, get(f"/api/v1/enrolments/{info['enrolment']}/progress/"), None, 3, 20),
        ("dashboard_region", [lead] * rc, get(f"/api/v1/dashboards/regions/{info['region']}/"),
         "dashboard_region_floor", 1, 10),
        ("dashboard_region_floor", [lead] * rc, get(f"/bench/floor/dashboards/regions/{info['region']}/"),
         None, 2, 20),
        ("dashboard_national", [admin] * rc, get("/api/v1/dashboards/national/"), "dashboard_national_floor", 1, 10),
        ("dashboard_national_floor", [admin] * rc, get("/bench/floor/dashboards/national/"), None, 2, 20),
        # The same figures asked for with explicit months: the sections by month computed on
        # request from the summary tables, the others taken from the fresh snapshot.
        ("dashboard_region_live", [lead] * rc, get(f"/api/v1/dashboards/regions/{info['region']}/?{live_months()}"),
         "dashboard_region_floor", 1, 5),
        ("dashboard_national_live", [admin] * rc, get(f"/api/v1/dashboards/national/?{live_months()}"),
         "dashboard_national_floor", 1, 5),
        # A specialty too: every filter reads the summary tables.
        ("dashboard_region_specialty", [lead] * rc,
         get(f"/api/v1/dashboards/regions/{info['region']}/?{live_months()}&specialty=urology"),
         "dashboard_region_floor", 1, 5),
        ("dashboard_national_specialty", [admin] * rc,
         get(f"/api/v1/dashboards/national/?{live_months()}&specialty=urology"), "dashboard_national_floor", 1, 5),
        *[scenario for n in (1, 4, 8) for scenario in (
            (f"case_create_{n}", info["writers"][:n], case_create(info), f"case_create_{n}_floor", 3, 30),
            (f"case_create_{n}_floor", info["writers"][:n], case_create(info, "/bench/floor/cases/"), None, 3, 30),
        )],
    ]
    cancels: list = []
    scenarios.append(("booking_contention_8", info["bookers"][:8], booking_contention(info, cancels), None, 1, 30))
    floors = {name: floor for name, _, _, floor, _, _ in scenarios if floor}
    try:
        for name, tokens, step, _floor, warmup, minimum in scenarios:
            if only and name not in only and name.removesuffix("_floor") not in only:
                continue
            results.append(run_load(name, port, tokens, step, seconds=secs, warmup=warmup, min_requests=minimum))
        if cancels:
            lat = [c[1] for c in cancels]
            results.append({"name": "booking_cancel_8 (inside booking_contention_8)", "clients": 8,
                            "requests": len(lat), "p50_ms": round(percentile(lat, .5) * 1000, 1),
                            "p95_ms": round(percentile(lat, .95) * 1000, 1),
                            "p99_ms": round(percentile(lat, .99) * 1000, 1), "rps": None,
                            "errors": sum(1 for s, _ in cancels if s >= 400)})
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    by_name = {r["name"]: r for r in results}
    for r in results:
        floor = by_name.get(floors.get(r["name"], ""))
        if floor:
            r["floor"] = floor["name"]
            r["ratio_p50"] = round(r["p50_ms"] / floor["p50_ms"], 2) if floor["p50_ms"] else None
            r["ratio_p95"] = round(r["p95_ms"] / floor["p95_ms"], 2) if floor["p95_ms"] else None
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    out = {
        "date": today, "command": " ".join([Path(PY).name, "bench/run.py", *(argv or sys.argv[1:])]),
        "database": db, "machine": machine(), "world": world, "gunicorn": {"workers": args.workers,
                                                                            "threads": args.threads},
        "read_clients": rc, "seconds_per_scenario": secs, "query_counts": queries,
        "actors_counts": info["counts"], "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.cases == 100_000 else f"-{args.cases}"
    path = RESULTS / f"{today}{suffix}{'-' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(out, indent=2, default=str))
    print(table(results))
    log(f"results written to {path.relative_to(ROOT)}")
    return 0


def table(results: list[dict]) -> str:
    lines = ["| endpoint | clients | requests | p50 ms | p95 ms | p99 ms | req/s | errors | ratio p95 to floor "
             "| server CPU p50 ms | queries |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        ratio = r.get("ratio_p95")
        lines.append(f"| {r['name']} | {r['clients']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | "
                     f"{r['p99_ms']} | {r['rps'] if r['rps'] is not None else ''} | {r['errors']} | "
                     f"{'' if ratio is None else ratio} | {r.get('server_cpu_p50_ms', '')} | "
                     f"{','.join(map(str, r.get('queries', [])))} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
