"""The notification outbox: stored with the change, idempotent, e-mailed at most once."""

import datetime
import smtplib
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rastrack.notifications import services
from rastrack.notifications.models import EmailStatus, Notification
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Records what would be handed to the broker, instead of publishing."""
    calls = []
    monkeypatch.setattr(services, "enqueue_email", lambda pk: calls.append(pk) or True)
    return calls


def _notify(user, key="k:1", **extra):
    return services.notify(recipient=user, kind="test.kind", subject="Subject", body="Body",
                           key=key, link="/notifications/", **extra)


def test_a_notification_is_stored_and_its_email_enqueued_on_commit(trainee, enqueued,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification = _notify(trainee)
            assert enqueued == []  # nothing leaves before the change commits
    assert enqueued == [notification.pk]
    assert notification.email_status == EmailStatus.PENDING


def test_a_rolled_back_change_leaves_no_notification(trainee, enqueued, django_capture_on_commit_callbacks):
    def failing_change():
        with transaction.atomic():
            _notify(trainee)
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_change()
    assert not Notification.objects.exists()
    assert enqueued == []


def test_the_same_key_twice_stores_one_row_and_enqueues_once(trainee, enqueued,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(trainee)
        second = _notify(trainee)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert enqueued == [first.pk]


def test_deliver_sends_once_even_when_run_twice(trainee):
    notification = _notify(trainee)
    assert services.email_deliver(notification.pk) == "sent"
    assert services.email_deliver(notification.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainee.email]
    assert "/notifications/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and notification.email_attempts == 1


def test_the_email_greets_the_person_links_to_the_right_place_and_says_why(trainee, settings):
    settings.SITE_URL = "https://rastrack.example.org"
    notification = services.notify(recipient=trainee, kind="case.validated", subject="Your case was validated",
                                   body="Dr T validated your case.", key="mail:greet",
                                   link="/logbook/cases/7/")
    services.email_deliver(notification.pk)
    body = mail.outbox[0].body
    assert body.startswith(f"Hello {trainee.full_name},")
    assert "Dr T validated your case." in body
    assert "https://rastrack.example.org/logbook/cases/7/" in body
    assert "You are getting this e-mail because" in body


def test_a_claim_is_a_compare_and_set(trainee):
    notification = _notify(trainee)
    assert services.email_claim(notification.pk) is not None
    assert services.email_claim(notification.pk) is None  # a second worker gets nothing


def test_a_transient_failure_backs_off_then_fails_after_the_bounded_attempts(trainee, monkeypatch, settings):
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_EMAIL_BACKOFF_SECONDS = 60

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(services, "send_mail", broken)
    notification = _notify(trainee)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert services.email_deliver(notification.pk) == "retry"
        notification.refresh_from_db()
        assert notification.email_next_attempt_at == start + datetime.timedelta(seconds=60)
        assert services.email_deliver(notification.pk) == "skipped"  # not due yet
        clock.shift(61)
        assert services.email_deliver(notification.pk) == "retry"
        notification.refresh_from_db()
        assert notification.email_next_attempt_at - timezone.now() == datetime.timedelta(seconds=240)
        clock.shift(241)
        assert services.email_deliver(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == 3
    assert "went away" in notification.email_last_error


def test_a_transient_failure_then_success(trainee, monkeypatch):
    real = services.send_mail
    failures = iter([smtplib.SMTPConnectError(421, "busy")])

    def flaky(*args, **kwargs):
        for exc in failures:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    notification = _notify(trainee)
    assert services.email_deliver(notification.pk) == "retry"
    Notification.objects.filter(pk=notification.pk).update(email_next_attempt_at=timezone.now())
    assert services.email_deliver(notification.pk) == "sent"
    assert len(mail.outbox) == 1


def test_an_abandoned_claim_is_marked_failed_not_sent_again(trainee, enqueued, settings):
    notification = _notify(trainee)
    services.email_claim(notification.pk)  # a worker claimed it, then died
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_TIMEOUT + 1)
    result = services.outbox_sweep(now=later)
    assert result["abandoned"] == 1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert enqueued == []
    assert mail.outbox == []


def test_mail_to_an_address_is_retried_like_any_and_its_text_cleared_when_given_up(trainee, enqueued, settings,
                                                                                 monkeypatch):
    to_address = services.notify_address(email="Someone@Example.org", name="Sam Someone", kind="test.address",
                                         subject="Subject", body="Your link: /secret/", key="addr:1")
    abandoned = services.notify_address(email="other@example.org", name="", kind="test.address",
                                        subject="Subject", body="Your link: /secret/", key="addr:2")
    kept = _notify(trainee, key="user:1")
    assert to_address.recipient_email == "someone@example.org" and to_address.recipient is None
    assert services.email_text(to_address) == "Hello Sam Someone,\n\nYour link: /secret/"
    assert services.email_text(abandoned).startswith("Hello other@example.org,")

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(services, "send_mail", down)
    assert services.email_deliver(to_address.pk) == "retry"
    to_address.refresh_from_db()
    assert to_address.body == "Your link: /secret/"  # still needed for the next try
    for notification in (abandoned, kept):
        services.email_claim(notification.pk)
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_TIMEOUT + 1)
    assert services.outbox_sweep(now=later)["abandoned"] == 2
    abandoned.refresh_from_db()
    kept.refresh_from_db()
    assert abandoned.email_status == kept.email_status == EmailStatus.FAILED
    assert abandoned.body == services.CLEARED_BODY and kept.body == "Body"


def test_the_sweep_enqueues_what_is_due_only(trainee, enqueued):
    due = _notify(trainee, key="due")
    later = _notify(trainee, key="later")
    Notification.objects.filter(pk=later.pk).update(email_next_attempt_at=timezone.now() + datetime.timedelta(hours=1))
    sent = _notify(trainee, key="sent")
    Notification.objects.filter(pk=sent.pk).update(email_status=EmailStatus.SENT)
    enqueued.clear()
    assert services.outbox_sweep()["due"] == 1
    assert enqueued == [due.pk]


def test_a_deactivated_recipient_gets_no_email(trainee):
    notification = _notify(trainee)
    type(trainee).objects.filter(pk=trainee.pk).update(is_active=False)
    assert services.email_deliver(notification.pk) == "failed"
    assert mail.outbox == []


def test_when_the_broker_is_down_the_change_still_commits(trainee, settings, monkeypatch):
    from rastrack.notifications.tasks import send_notification_email

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(send_notification_email, "apply_async", broker_down)
    assert services.enqueue_email(12345) is False  # logged, not raised


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_with_one_key_stores_one_row(monkeypatch):
    monkeypatch.setattr(services, "enqueue_email", lambda pk: True)
    user = UserFactory()
    barrier = threading.Barrier(6)
    ids, errors = [], []

    def create():
        try:
            barrier.wait()
            with transaction.atomic():
                ids.append(_notify(user, key="race:1").pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(set(ids)) == 1
    assert Notification.objects.filter(idempotency_key="race:1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_delivery_sends_at_most_once():
    user = UserFactory()
    notification = Notification.objects.create(recipient=user, kind="k", subject="s", body="b",
                                                idempotency_key="once")
    barrier = threading.Barrier(5)
    results = []

    def deliver():
        barrier.wait()
        results.append(services.email_deliver(notification.pk))
        connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["sent"] + ["skipped"] * 4
    assert len(mail.outbox) == 1


# --- Inbox: API and page ---------------------------------------------------------------------

def test_the_api_lists_only_ones_own_notifications(api, trainee, other_trainee):
    mine = _notify(trainee, key="mine")
    _notify(other_trainee, key="theirs")
    body = api.as_user(trainee).get("/api/v1/notifications/").json()
    assert [n["id"] for n in body["results"]] == [mine.pk]
    assert body["results"][0]["is_read"] is False


def test_another_persons_notification_is_a_404(api, trainee, other_trainee):
    theirs = _notify(other_trainee, key="theirs")
    client = api.as_user(trainee)
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_and_read_all(api, trainee):
    first, second = _notify(trainee, key="a"), _notify(trainee, key="b")
    client = api.as_user(trainee)
    response = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert [n["id"] for n in client.get("/api/v1/notifications/?unread=true").json()["results"]] == [second.pk]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0


def test_anonymous_gets_401(api):
    assert api.get("/api/v1/notifications/").status_code == 401


def test_the_notification_list_uses_the_same_queries_for_1_and_50(api, trainee):
    client = api.as_user(trainee)
    _notify(trainee, key="n0")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/notifications/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    Notification.objects.bulk_create([
        Notification(recipient=trainee, kind="k", subject=f"s{i}", body="b", idempotency_key=f"n{i + 1}")
        for i in range(49)])
    assert count() == one


def test_the_inbox_page(client, trainee, other_trainee):
    mine = _notify(trainee, key="mine")
    theirs = _notify(other_trainee, key="theirs")
    client.force_login(trainee)
    html = client.get("/notifications/").content.decode()
    assert "Subject" in html and "New" in html
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.filter(pk=theirs.pk, read_at=None).exists()
    Notification.objects.filter(pk=mine.pk).update(read_at=None, email_attempts=F("email_attempts"))


def test_accepting_an_invitation_notifies_the_inviter(admin, london, enqueued, django_capture_on_commit_callbacks):
    from rastrack.accounts import services as accounts

    with django_capture_on_commit_callbacks(execute=True):
        _, token = accounts.invitation_create(invited_by=admin, email="joiner@example.org",
                                              full_name="Jo Joiner", roles=["trainee"], region=london)
        accounts.invitation_accept(token=token, password="a-long-passphrase")
    invitation_mail = Notification.objects.get(kind="invitation")
    notification = Notification.objects.get(kind="invitation.accepted")
    assert notification.recipient == admin
    assert "Jo Joiner" in notification.subject and "as trainee." in notification.body
    assert enqueued == [invitation_mail.pk, notification.pk]


def test_a_batch_is_stored_in_two_queries_and_each_email_enqueued_on_commit(
        trainee, lead, enqueued, django_capture_on_commit_callbacks, django_assert_num_queries):
    notices = [{"recipient_id": person.pk, "kind": "test.batch", "subject": "S", "body": "B", "key": f"batch:{i}"}
               for i, person in enumerate((trainee, lead, trainee))]
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(2):
            assert services.notify_many(notices) == 3
        assert enqueued == []  # nothing leaves before the change commits
    stored = dict(Notification.objects.filter(kind="test.batch").values_list("idempotency_key", "pk"))
    assert sorted(enqueued) == sorted(stored.values()) and len(stored) == 3
    services.notify_many(notices)  # the same keys again (a racing sweep): still one row each
    assert Notification.objects.filter(kind="test.batch").count() == 3
    assert services.notify_many([]) == 0


def test_only_the_notices_not_yet_stored_are_stored(trainee, lead, enqueued, django_assert_num_queries):
    notices = [{"recipient_id": person.pk, "kind": "test.unsent", "subject": "S", "body": "B", "key": f"unsent:{i}"}
               for i, person in enumerate((trainee, lead))]
    services.notify_many(notices[:1])
    with django_assert_num_queries(3):  # the keys stored, then the insert and the new ids
        assert services.notify_unsent(notices) == 1
    with django_assert_num_queries(1):  # everything stored: the keys only
        assert services.notify_unsent(notices) == 0
    assert Notification.objects.filter(kind="test.unsent").count() == 2
