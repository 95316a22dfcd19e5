"""The outbox with a real Celery worker on Redis and PostgreSQL (CI), never eager mode."""

import time

import pytest
from django.conf import settings
from django.db import transaction

from rastrack.accounts import services as accounts
from rastrack.notifications.models import EmailStatus, Notification
from rastrack.notifications.services import notify
from tests.builders.people import UserFactory
from tests.support.celery_workers import (
    celery_worker,
    free_port,
    mails_in,
    private_redis,
    publishing_to,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def _status(pk):
    return Notification.objects.get(pk=pk).email_status


def test_a_real_worker_delivers_the_outbox_on_redis(tmp_path):
    user = UserFactory(email="reader@example.org")
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path) as worker:
        with transaction.atomic():
            notification = notify(recipient=user, kind="test", subject="Hello from the worker",
                                  body="Body", key="worker:1")
        assert wait_until(lambda: _status(notification.pk) == EmailStatus.SENT, 30), worker.output
    mails = mails_in(tmp_path)
    assert len(mails) == 1
    assert "Hello from the worker" in mails[0]
    assert "reader@example.org" in mails[0]


def test_a_request_succeeds_while_redis_is_stopped_and_the_mail_goes_out_after(client, tmp_path):
    admin = UserFactory(roles=["programme_admin"])
    london = accounts.Region.objects.get(code="london")
    _, token = accounts.invitation_create(invited_by=admin, email="joiner@example.org",
                                          full_name="Jo Joiner", roles=["trainee"], region=london)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with publishing_to(url):
        # Redis is not running on that port: the broker is down.
        started = time.monotonic()
        response = client.post(f"/accounts/invitations/{token}/", {
            "full_name": "Jo Joiner", "password": "a-long-passphrase",
            "password_again": "a-long-passphrase"})
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 5, f"the request hung for {elapsed:.1f}s while the broker was down"
        notification = Notification.objects.get(kind="invitation.accepted")
        assert notification.email_status == EmailStatus.PENDING

        with private_redis(port), celery_worker(broker_url=url, mail_dir=tmp_path) as worker:
            # Beat's sweep runs once the broker is back; here we trigger it at once.
            from rastrack.notifications.tasks import relay_outbox

            relay_outbox.delay()
            assert wait_until(lambda: _status(notification.pk) == EmailStatus.SENT, 30), worker.output
            # The invitation itself, to an address with no account then, went the same way.
            invitation_mail = Notification.objects.get(kind="invitation")
            assert wait_until(lambda: _status(invitation_mail.pk) == EmailStatus.SENT, 30), worker.output
    mails = mails_in(tmp_path)
    assert len(mails) == 2
    assert sum("Jo Joiner has joined RASTrack" in text for text in mails) == 1
    assert sum("To: joiner@example.org" in text and "Hello Jo Joiner," in text for text in mails) == 1


def test_a_task_delivered_several_times_concurrently_sends_once(tmp_path):
    from rastrack.notifications.tasks import send_notification_email

    user = UserFactory()
    notification = Notification.objects.create(recipient=user, kind="k", subject="Once only",
                                               body="b", idempotency_key="twice")
    # Three threads of one worker take the three deliveries at the same time.
    with celery_worker(broker_url=settings.REDIS_URL, mail_dir=tmp_path, pool="threads",
                       concurrency=3) as worker:
        for _ in range(3):
            send_notification_email.delay(notification.pk)
        assert wait_until(lambda: _status(notification.pk) == EmailStatus.SENT, 30), worker.output
        assert wait_until(lambda: worker.output.count("succeeded") >= 3, 30), worker.output
    assert len(mails_in(tmp_path)) == 1
