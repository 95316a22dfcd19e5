"""Worker faults with a real Celery worker on Redis and PostgreSQL (CI): bounded retries,
a worker killed mid-task, and duplicate delivery."""

import signal

import pytest
from django.conf import settings

from rastrack.core.models import Heartbeat, TaskFailure
from rastrack.core.tasks import always_fails, slow_idempotent_effect
from tests.support.celery_workers import celery_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def test_a_task_that_always_fails_stops_after_its_bounded_retries_and_is_recorded(tmp_path):
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path) as worker:
        always_fails.delay("bounded")
        assert wait_until(lambda: TaskFailure.objects.filter(task_name="rastrack.core.always_fails").exists(),
                          30), worker.output
    attempts = Heartbeat.objects.filter(name__startswith="attempt:bounded:").count()
    assert attempts == 3  # the first try and max_retries=2 retries, then it gives up
    failure = TaskFailure.objects.get(task_name="rastrack.core.always_fails")
    assert "the service this task needs is down" in failure.exception


def test_a_worker_killed_mid_task_runs_it_again_and_the_effect_happens_once(tmp_path):
    # A short visibility timeout: an unacknowledged task comes back after 2 s, not an hour.
    env = {"CELERY_VISIBILITY_TIMEOUT": "2", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
           "CELERY_UNACKED_RESTORE_THROTTLE": "1"}
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path, extra_env=env) as worker:
        slow_idempotent_effect.delay("killed", 8)
        assert wait_until(lambda: Heartbeat.objects.filter(name__startswith="start:killed:").exists(), 30), \
            worker.output
        worker.proc.send_signal(signal.SIGKILL)  # mid-task: no ack was sent (acks_late)
        worker.proc.wait(10)
    assert not Heartbeat.objects.filter(name="effect:killed").exists()
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path, extra_env=env) as worker:
        assert wait_until(lambda: Heartbeat.objects.filter(name="effect:killed").exists(), 60), worker.output
    assert Heartbeat.objects.filter(name__startswith="start:killed:").count() == 2  # it ran again
    assert Heartbeat.objects.filter(name="effect:killed").count() == 1             # one effect
