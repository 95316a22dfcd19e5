"""Worker faults the [Workflows] tests leave out, with real Celery processes on Redis and
PostgreSQL: poison messages, and two beat processes running the same schedule.

Covered in tests/accreditation/test_tasks_on_a_worker.py and tests/rastrack/notifications/test_worker.py, not
repeated here: bounded retries of a failing task, a worker killed mid-task (runs again, one
effect), duplicate delivery of one e-mail task (sent once).
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.utils import timezone

from rastrack.core.models import TaskFailure
from rastrack.notifications.models import EmailStatus, Notification
from rastrack.notifications.services import notify
from tests.builders.people import UserFactory
from tests.support.celery_workers import (
    ROOT,
    celery_worker,
    child_env,
    mails_in,
    purge_queue,
    queue_is_empty,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def _publish_raw(body: bytes, content_type: str, task_name: str) -> None:
    """A message no serializer we accept can read (as a buggy or hostile publisher sends)."""
    from rastrack.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.basic_publish(
            conn.default_channel.prepare_message(
                body, content_type=content_type, content_encoding="binary",
                headers={"task": task_name, "id": "poison-raw-1", "lang": "py", "argsrepr": "",
                         "kwargsrepr": "", "retries": 0}),
            exchange="", routing_key=settings.CELERY_TASK_DEFAULT_QUEUE)


def test_poison_messages_are_dropped_and_recorded_and_the_queue_keeps_flowing(tmp_path):
    from rastrack.celery import app
    from rastrack.notifications.tasks import send_notification_email

    purge_queue()  # e-mails queued by earlier tests of this run, for rows long gone
    user = UserFactory(email="after.poison@example.org")
    # Published before the worker starts, so the poison is at the head of the queue.
    send_notification_email.delay("not-a-notification-id")         # bad arguments
    app.send_task("rastrack.no_such_task", args=[1])                # a task nobody knows
    _publish_raw(b"\x80\x04garbage", "application/x-python-serialize",
                 "rastrack.notifications.send_email")               # a body we refuse to read
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path) as worker:
        good = notify(recipient=user, kind="test", subject="Still delivered", body="b", key="after-poison")
        assert wait_until(lambda: Notification.objects.get(pk=good.pk).email_status == EmailStatus.SENT,
                          30), worker.output
        assert wait_until(queue_is_empty, 15), worker.output
        assert worker.proc.poll() is None, worker.output  # the worker is still up
    output = worker.output
    assert "unregistered task" in output.lower()
    assert "refusing to deserialize" in output.lower() or "contentdisallowed" in output.lower()
    failures = TaskFailure.objects.filter(task_name="rastrack.notifications.send_email")
    assert failures.count() == 1                     # the bad arguments: failed once, not retried
    assert "not-a-notification-id" in failures.get().args
    assert len(mails_in(tmp_path)) == 1        # one e-mail: the good one
    assert output.count("rastrack.notifications.send_email[") <= 4  # never redelivered in a loop


def _beat(schedule_file, lines: list[str]) -> subprocess.Popen:
    env = child_env(DJANGO_SETTINGS_MODULE="tests.faults.beat_settings", REDIS_URL=settings.REDIS_URL)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rastrack", "beat", "--loglevel", "INFO",
         "-s", str(schedule_file), "--max-interval", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    return proc


def test_two_beat_processes_running_at_once_have_each_effect_once(tmp_path, london, lead):
    from accreditation.faculty.models import Accreditation, AccreditationStatus
    from rastrack.audit.models import AuditEntry
    from tests.builders.faculty import accredit

    today = timezone.localdate()
    expired = accredit(UserFactory(roles=["trainer"], region=london), since=today - datetime.timedelta(days=1200),
                       expires_on=today - datetime.timedelta(days=1))
    expiring_trainer = UserFactory(roles=["trainer"], region=london)
    accredit(expiring_trainer, since=today - datetime.timedelta(days=1000),
             expires_on=today + datetime.timedelta(days=20))
    mails = tmp_path / "mail"
    logs: list[list[str]] = [[], []]
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=mails, pool="threads", concurrency=4) as worker:
        beats = [_beat(tmp_path / f"beat-{n}", logs[n]) for n in range(2)]
        try:
            # Both beats send every task several times (two in flight at once, often).
            assert wait_until(lambda: all("".join(log).count("accreditation.lapse_expired") >= 3
                                          for log in logs), 90), logs
        finally:
            for beat in beats:
                beat.terminate()
            for beat in beats:
                try:
                    beat.wait(15)
                except subprocess.TimeoutExpired:
                    beat.kill()
                    beat.wait(5)
        assert wait_until(lambda: not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()
                          and queue_is_empty(), 30), worker.output

    for log in logs:
        assert "Sending due task relay-outbox" in "".join(log)
    # One lapse: one status change, one audit entry, one notification.
    assert Accreditation.objects.get(pk=expired.pk).status == AccreditationStatus.LAPSED
    assert AuditEntry.objects.filter(action="accreditation.lapse", object_id=str(expired.pk)).count() == 1
    lapsed_notes = Notification.objects.filter(recipient=expired.trainer)
    assert lapsed_notes.count() == 1
    # One expiry notice each to the trainer and the lead, not two.
    for recipient in (expiring_trainer, lead):
        assert Notification.objects.filter(recipient=recipient, kind="accreditation.expiring").count() == 1
    # Every notification e-mailed exactly once.
    notifications = Notification.objects.count()
    assert notifications >= 3
    sent = mails_in(mails)
    assert len(sent) == notifications
    for email in set(Notification.objects.values_list("recipient__email", flat=True)):
        expected = Notification.objects.filter(recipient__email=email).count()
        assert sum(f"To: {email}" in text for text in sent) == expected, email


def test_a_task_that_kills_its_worker_every_time_is_given_up_after_bounded_deliveries(tmp_path):
    """acks_late + reject_on_worker_lost put a task whose worker died back in the queue, so
    that nothing is lost; a task that *causes* the death must not loop for ever."""
    from rastrack.celery import app
    from rastrack.core.models import Heartbeat

    user = UserFactory(email="after.crash@example.org")
    app.send_task("tests.faults.crashes_its_worker", args=["loop"])
    env = {"DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings"}
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path, pool="prefork", concurrency=1,
                       extra_env=env) as worker:
        assert wait_until(lambda: TaskFailure.objects.filter(task_name="tests.faults.crashes_its_worker").exists(),
                          60), (Heartbeat.objects.filter(name__startswith="crash:loop:").count(), worker.output)
        good = notify(recipient=user, kind="test", subject="After the crash loop", body="b", key="after-crash")
        assert wait_until(lambda: Notification.objects.get(pk=good.pk).email_status == EmailStatus.SENT,
                          30), worker.output
        assert wait_until(queue_is_empty, 15), worker.output
        time.sleep(2)  # a looping task would have run again by now
        assert worker.proc.poll() is None, worker.output
    starts = Heartbeat.objects.filter(name__startswith="crash:loop:").count()
    assert starts == settings.TASK_MAX_DELIVERIES  # then given up, not run again
    failure = TaskFailure.objects.get(task_name="tests.faults.crashes_its_worker")
    assert "delivered" in failure.exception and "worker" in failure.exception
