"""Real Celery workers (not eager mode) and a private Redis, for the workflow and fault tests.

Every process started here is a child of one pytest process (an xdist worker): it works on
that process's test database, listens on its Celery queue and shares its var folder
(`child_env`, rastrack/settings_test.py). The tests that start them are in the `serial`
group (README "Tests"): they run one after another on one xdist worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from rastrack.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The pytest-django test database, for processes the test starts."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a worker, beat or manage.py process a test starts: the test
    settings on this process's test database, Celery queue and var folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rastrack.settings_test",
        "DATABASE_URL": database_url(),
        "RASTRACK_TEST_OWNER": settings.TEST_OWNER,
        **extra,
    }


def queue_is_empty() -> bool:
    """Nothing waiting in this process's queue, and nothing of it delivered but unacknowledged
    (kombu keeps one "unacked" hash for every queue of the Redis database: only the entries
    routed to this queue count)."""
    import json

    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if client.llen(queue):
        return False
    return not any(json.loads(raw)[2] == queue for raw in client.hvals("unacked"))


def purge_queue() -> None:
    """Empty this process's own queue (never another's: the name carries the owner's pid)."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


def wait_until(condition: Callable[[], bool], timeout: float = 30, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[str]:
    """A Redis server of the test's own, which the test may stop and start at will."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        assert wait_until(lambda: _pings(redis, url), 10), "private Redis did not start"
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _pings(redis_module, url) -> bool:
    try:
        return bool(redis_module.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis_module.RedisError:
        return False


def _reset_producer_pools() -> None:
    # The app caches its broker connection pools; drop them so the next publish connects
    # to the broker configured now.
    from kombu import pools

    pools.reset()  # kombu keeps pools per connection in a global registry
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Make this process publish tasks to another broker for a while."""
    old = celery_app.conf.broker_url
    _reset_producer_pools()
    celery_app.conf.broker_url = url
    try:
        yield
    finally:
        _reset_producer_pools()
        celery_app.conf.broker_url = old


class Worker:
    def __init__(self, proc: subprocess.Popen, lines: list[str]):
        self.proc = proc
        self.lines = lines

    @property
    def output(self) -> str:
        return "".join(self.lines)


def mails_in(directory: Path) -> list[str]:
    """Every e-mail the file backend wrote into `directory`, one string each.

    Django's file backend names its file after the second and the backend object's id() and
    appends to it: two backends made in the same second at the same address share one file, so
    a file is not one e-mail. Each message ends with a line of 79 dashes."""
    separator = "\n" + "-" * 79 + "\n"
    return [message for path in sorted(directory.iterdir())
            for message in path.read_text().split(separator) if message.strip()]


@contextlib.contextmanager
def celery_worker(*, broker_url: str, mail_dir: Path, extra_env: dict | None = None,
                  pool: str = "solo", concurrency: int = 1) -> Iterator[Worker]:
    """A real `celery worker` process on the test database, this process's queue and `broker_url`."""
    env = child_env(
        REDIS_URL=broker_url,
        TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        **(extra_env or {}),
    )
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rastrack", "worker", "--pool", pool,
         "--concurrency", str(concurrency),
         "--loglevel", "INFO", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", name,
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    worker = Worker(proc, lines)
    try:
        assert wait_until(lambda: "ready." in worker.output or proc.poll() is not None, 60), worker.output
        assert proc.poll() is None, f"worker exited:\n{worker.output}"
        yield worker
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
