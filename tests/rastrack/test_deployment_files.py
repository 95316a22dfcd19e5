"""compose.yaml, the Procfile and .ci/run describe the processes we test here directly."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_every_process_with_a_health_check():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "python:3.11" in (ROOT / "Dockerfile").read_text()


def test_the_procfile_runs_web_worker_and_beat():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert set(lines) == {"web", "worker", "beat"}


def test_ci_sets_the_real_services_and_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    for needle in ("CI=true", "DATABASE_URL=postgres://", "REDIS_URL=redis://", "make lint",
                   "make test", "pg_ctlcluster", "redis-server"):
        assert needle in script, needle
