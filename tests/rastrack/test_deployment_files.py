"""compose.yaml, the Procfile and .ci/run describe the processes we test here directly."""

from pathlib import Path

import pytest
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


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_pools_connections_with_pgbouncer_in_transaction_mode():
    services = _compose()["services"]
    bouncer = services["pgbouncer"]
    assert bouncer["environment"]["POOL_MODE"] == "transaction" and "healthcheck" in bouncer
    for name in ("web", "worker", "worker-mail", "worker-reports", "worker-sweeps", "beat"):
        env = services[name]["environment"]
        assert "@pgbouncer:" in env["DATABASE_URL"] and env["DATABASE_POOLED"] == "true", name
    # Migrations go straight to PostgreSQL.
    assert "@postgres:" in services["migrate"]["environment"]["DATABASE_URL"]


def test_each_deployment_rebuilds_the_summary_tables_after_migrating():
    command = " ".join(_compose()["services"]["migrate"]["command"])
    assert command.index("manage.py migrate") < command.index("manage.py rebuild_summaries")


def test_compose_runs_scalable_workers_for_every_queue():
    from django.conf import settings

    services = _compose()["services"]
    consumed = {}
    for name, service in services.items():
        command = service.get("command") or []
        if "worker" in command:
            consumed[command[command.index("-Q") + 1]] = name
            assert "replicas" in service["deploy"] and "healthcheck" in service, name
            assert service["environment"]["CELERY_ROUTE_BY_QUEUE"] == "true"
    assert set(settings.CELERY_QUEUE_OF_TASK.values()) | {"celery"} == set(consumed)
    # Every scheduled task has a queue that a worker serves.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert settings.CELERY_QUEUE_OF_TASK.get(entry["task"], "celery") in consumed, entry["task"]


def _settings_with(**env) -> dict:
    import json
    import os
    import subprocess
    import sys

    code = ("import json, rastrack.settings as s; print(json.dumps({'db': s.DATABASES, "
            "'routes': s.CELERY_TASK_ROUTES}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "DEBUG": "true", **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_pooled_replica_and_queue_settings_from_the_environment():
    loaded = _settings_with(DATABASE_URL="postgres://u:p@pgbouncer:5432/rastrack", DATABASE_POOLED="true",
                            DATABASE_REPLICA_URL="postgres://u:p@replica:5432/rastrack",
                            CELERY_ROUTE_BY_QUEUE="true")
    default, replica = loaded["db"]["default"], loaded["db"]["replica"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True and default["CONN_MAX_AGE"] == 0
    assert default["OPTIONS"]["prepare_threshold"] is None
    assert replica["HOST"] == "replica" and replica["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert loaded["routes"]["rastrack.notifications.send_email"] == {"queue": "mail"}
    plain = _settings_with(DATABASE_URL="postgres://u:p@db:5432/rastrack")
    assert "replica" not in plain["db"] and plain["routes"] == {}
    assert not plain["db"]["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    assert plain["db"]["default"]["OPTIONS"]["prepare_threshold"] == 5  # the compiled queries prepare


def test_web_and_celery_workers_freeze_the_collector_after_warming_up():
    import gc
    import runpy
    from unittest import mock

    from celery.signals import worker_process_init

    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = mock.Mock()
    try:
        hooks["post_worker_init"](worker)
        assert gc.get_freeze_count() > 0
        worker.log.info.assert_called_once()
    finally:
        gc.unfreeze()
    import rastrack.celery

    receivers = [ref() for _, ref in worker_process_init.receivers]
    assert rastrack.celery._freeze_after_warm_up in receivers


@pytest.mark.parametrize("signal_name", ["worker_process_init", "worker_ready"])
def test_a_celery_worker_process_freezes_the_collector_when_its_signal_comes(signal_name):
    # worker_process_init: each prefork pool process; worker_ready: the main process (which
    # runs the tasks with the solo and thread pools).
    import gc

    from celery import signals

    import rastrack.celery  # noqa: F401 - connects the receivers

    gc.unfreeze()
    try:
        getattr(signals, signal_name).send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()
