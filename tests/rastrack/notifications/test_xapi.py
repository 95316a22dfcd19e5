"""xAPI statements to a real learning record store: ralph (ralph-malph, its file-system
backend), started here as a subprocess on 127.0.0.1. Validated cases, trainer assessments,
approved sign-offs and certificates are stored in the outbox with the change, sent by the
Celery task after commit, exactly once, and retried while the store is down."""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest
import requests
import time_machine
from django.db import transaction
from django.utils import timezone

from rastrack.notifications import tasks as notification_tasks
from rastrack.notifications import xapi
from rastrack.notifications.models import XAPIStatement, XAPIStatus
from tests.builders.certificates import certify  # noqa: F401 - fixtures
from tests.builders.logbook import make_case
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)

pytestmark = pytest.mark.django_db

USER, PASSWORD = "rastrack", "lrs-test-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ralph's file-system LRS backend writes its file with the data backends' default "create"
# operation, which refuses a second write to the same file; "append" makes it a usable store.
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""


class LRS:
    """ralph's LRS API under uvicorn, which the test starts and stops."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, _free_port(), None
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        (folder / "auth.json").write_text(json.dumps([{
            "agent": {"mbox": "mailto:rastrack@lrs.example.org"}, "username": USER, "scopes": ["all"],
            "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()}]))

    def start(self) -> None:
        env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
               "RALPH_APP_DIR": str(self.folder), "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder)}
        self.log = open(self.folder / "ralph.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-c", SERVE, str(self.port)], cwd=self.folder, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                raise RuntimeError("ralph stopped: " + (self.folder / "ralph.log").read_text()[-2000:])
        raise RuntimeError("ralph did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
            self.log.close()

    def statements(self) -> list[dict]:
        response = requests.get(f"{self.url}/statements", params={"limit": 100}, auth=(USER, PASSWORD),
                                headers={"X-Experience-API-Version": "1.0.3"}, timeout=10)
        response.raise_for_status()
        return response.json()["statements"]


@pytest.fixture
def lrs(tmp_path, settings, monkeypatch):
    """The LRS configured (but not started: each test says when it is up), and the outbox's
    hand-over to the broker replaced by running the real Celery task in this process."""
    store = LRS(tmp_path)
    settings.XAPI_ENDPOINT, settings.XAPI_USERNAME, settings.XAPI_PASSWORD = store.url, USER, PASSWORD
    settings.XAPI_TIMEOUT = 3
    ran = []

    def run_task(pk):
        ran.append(notification_tasks.send_xapi_statement.apply(args=[pk]).get())
        return True

    monkeypatch.setattr(xapi, "xapi_enqueue", run_task)
    store.ran = ran
    yield store
    store.stop()


def test_nothing_is_stored_when_xapi_is_off(settings, trainee, assigned_trainer):
    settings.XAPI_ENDPOINT = None
    make_case(trainee, assigned_trainer)
    assert not XAPIStatement.objects.exists()


def test_a_validated_case_is_sent_after_commit_and_read_back(lrs, trainee, assigned_trainer, settings,
                                                             django_capture_on_commit_callbacks):
    lrs.start()
    case = make_case(trainee, assigned_trainer, status="submitted")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            from accreditation.logbook.services import case_validate

            case_validate(case=case, actor=assigned_trainer)
            assert lrs.ran == []  # nothing leaves before the change commits
    assert len(callbacks) >= 1 and lrs.ran == ["sent"], (XAPIStatement.objects.get().last_error, (lrs.folder / "ralph.log").read_text()[-3000:])
    (statement,) = lrs.statements()
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["actor"]["account"] == {"homePage": "http://127.0.0.1:8000/", "name": str(trainee.pk)}
    assert trainee.email not in json.dumps(statement)
    assert statement["object"]["id"] == f"http://127.0.0.1:8000/xapi/activities/case/{case.pk}"
    assert statement["context"]["instructor"]["account"]["name"] == str(assigned_trainer.pk)
    assert statement["id"] == str(XAPIStatement.objects.get().statement_id)


def test_the_email_is_the_actor_only_when_configured(lrs, trainee, assigned_trainer, settings):
    settings.XAPI_ACTOR_EMAIL = True
    make_case(trainee, assigned_trainer)
    assert XAPIStatement.objects.get().statement["actor"] == {"objectType": "Agent",
                                                              "mbox": f"mailto:{trainee.email}"}


def test_assessments_signoffs_and_certificates_with_the_store_down_then_up_arrive_exactly_once(
        lrs, trainee, assigned_trainer, enrolment, competency, settings):
    """Everything happens while the LRS is down: each statement is kept and backed off. Once it
    is up, the sweep sends each one once; sending again changes nothing."""
    certificate = certify(trainee, assigned_trainer, enrolment, competency)
    rows = list(XAPIStatement.objects.order_by("id"))
    verbs = [row.verb.rsplit("/", 1)[-1] for row in rows]
    assert verbs.count("scored") == 2 and verbs.count("passed") == 2 and verbs.count("earned") == 1

    assert xapi.xapi_sweep()["due"] == len(rows)  # the store is down: every try fails
    assert set(lrs.ran) == {"retry"}
    for row in XAPIStatement.objects.all():
        assert row.status == XAPIStatus.PENDING and row.attempts == 1 and row.next_attempt_at > timezone.now()
        assert "cannot be reached" in row.last_error
    lrs.ran.clear()
    assert xapi.xapi_sweep()["due"] == 0  # backed off: not due yet

    lrs.start()
    later = timezone.now() + datetime.timedelta(seconds=settings.XAPI_BACKOFF_SECONDS + 1)
    with time_machine.travel(later, tick=True):  # the backoff has passed
        assert xapi.xapi_sweep()["due"] == len(rows)
        assert lrs.ran == ["sent"] * len(rows)
        assert set(XAPIStatement.objects.values_list("status", flat=True)) == {XAPIStatus.SENT}

        # Twice more: the sweep finds nothing, a direct delivery is refused by the claim, and a
        # claim abandoned mid-send (sent again by the sweep) is the same statement: stored once.
        assert xapi.xapi_sweep()["due"] == 0
        assert xapi.xapi_deliver(rows[0].pk) == "skipped"
        XAPIStatement.objects.filter(pk=rows[0].pk).update(status=XAPIStatus.SENDING,
                                                           claimed_at=timezone.now() - datetime.timedelta(hours=1))
        assert xapi.xapi_sweep()["reclaimed"] == 1
        assert lrs.ran[-1] == "sent"
    stored = lrs.statements()
    assert sorted(s["id"] for s in stored) == sorted(str(r.statement_id) for r in rows)
    earned = next(s for s in stored if s["verb"]["id"].endswith("/earned"))
    assert earned["object"]["definition"]["name"]["en-GB"] == (
        f"{certificate.pathway.title}, version {certificate.pathway.version}")
    scored = next(s for s in stored if s["verb"]["id"].endswith("/scored"))
    assert scored["result"]["score"]["raw"] == 22


def test_recording_twice_stores_one_statement(lrs, trainee, assigned_trainer):
    case = make_case(trainee, assigned_trainer)
    case.refresh_from_db()
    from accreditation.logbook.xapi import case_validated

    case_validated(case)
    assert XAPIStatement.objects.count() == 1


def test_a_refused_statement_fails_at_once_and_attempts_are_bounded(lrs, trainee, assigned_trainer, settings):
    lrs.start()
    make_case(trainee, assigned_trainer)
    row = XAPIStatement.objects.get()
    XAPIStatement.objects.filter(pk=row.pk).update(statement={k: v for k, v in row.statement.items() if k != "actor"})
    assert xapi.xapi_deliver(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == XAPIStatus.FAILED and row.last_error.startswith("4")

    lrs.stop()
    settings.XAPI_MAX_ATTEMPTS = 2
    make_case(trainee, assigned_trainer, days=6)
    second = XAPIStatement.objects.exclude(pk=row.pk).get()
    far = timezone.now() + datetime.timedelta(days=1)
    assert xapi.xapi_deliver(second.pk, now=far) == "retry"
    assert xapi.xapi_deliver(second.pk, now=far + datetime.timedelta(days=1)) == "failed"
