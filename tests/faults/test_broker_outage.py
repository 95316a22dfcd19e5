"""Redis (the broker) stops while the web is serving: requests that cause notifications still
succeed at once, and after Redis returns every notification is e-mailed exactly once, also
those whose queued message died with the broker.

tests/rastrack/notifications/test_worker.py covers a broker that is down from the start for one
request; this adds a broker that stops mid-way (live pooled connections go dead), pages and
the API together, a queued message lost with the broker, and duplicate relays afterwards.
"""

from __future__ import annotations

import time

import pytest

from rastrack.accounts import services as accounts
from rastrack.notifications.models import EmailStatus, Notification
from tests.builders.signoff import competency_fixture, framework_fixture  # noqa: F401 - fixtures
from tests.support.api_clients import token_client
from tests.support.celery_workers import (
    celery_worker,
    free_port,
    mails_in,
    private_redis,
    publishing_to,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def _accept(client, admin, london, n):
    _, token = accounts.invitation_create(invited_by=admin, email=f"joiner{n}@example.org",
                                          full_name=f"Jo Joiner {n}", roles=["trainee"], region=london)
    started = time.monotonic()
    response = client.post(f"/accounts/invitations/{token}/", {
        "full_name": f"Jo Joiner {n}", "password": "a-long-passphrase", "password_again": "a-long-passphrase"})
    return response, time.monotonic() - started


def test_notifications_made_while_redis_is_stopped_go_out_once_after_it_returns(
        client, admin, london, trainee, assigned_trainer, competency, tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with publishing_to(url):
        with private_redis(port):
            # Broker up, no worker yet: this e-mail's message waits in Redis...
            response, _ = _accept(client, admin, london, 1)
            assert response.status_code == 302
        # ...and dies with it: Redis stops (no persistence), the pooled connections go dead.
        slowest = 0.0
        for n in (2, 3):
            response, elapsed = _accept(client, admin, london, n)
            assert response.status_code == 302
            slowest = max(slowest, elapsed)
        started = time.monotonic()
        api = token_client(trainee).post("/api/v1/signoff-requests/",
                                         {"trainer": assigned_trainer.pk, "competency": competency.pk},
                                         format="json")
        slowest = max(slowest, time.monotonic() - started)
        assert api.status_code == 201, api.content
        assert slowest < 5, f"a request hung for {slowest:.1f}s while the broker was down"
        assert client.get("/healthz").json()["broker"] == "down"
        assert client.get("/").status_code == 200  # the web keeps serving (the joiner is signed in)

        notifications = list(Notification.objects.values_list("pk", flat=True))
        # Three invitations (to the joiners' addresses), three "has joined" to the admin, one
        # sign-off to the trainer.
        assert len(notifications) == 7
        assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.PENDING}

        with private_redis(port), celery_worker(broker_url=url, mail_dir=tmp_path, pool="threads",
                                                concurrency=3) as worker:
            from rastrack.notifications.tasks import relay_outbox

            # Beat's sweep after the broker is back; twice, as two beats or a retry would.
            relay_outbox.delay()
            relay_outbox.delay()
            assert wait_until(lambda: not Notification.objects.exclude(email_status=EmailStatus.SENT).exists(),
                              40), worker.output
            relay_outbox.delay()  # a late sweep finds nothing more to send
            assert wait_until(lambda: worker.output.count("relay_outbox") >= 6, 20), worker.output

    mails = mails_in(tmp_path)
    assert len(mails) == 7
    for n in (1, 2, 3):
        assert sum(f"Jo Joiner {n} has joined RASTrack" in text for text in mails) == 1
        assert sum(f"To: joiner{n}@example.org" in text for text in mails) == 1
    assert sum(assigned_trainer.email in text for text in mails) == 1
