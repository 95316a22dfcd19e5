"""Issuing certificates: exactly once per enrolment, when its final sign-off is approved (also
when the approval or the listener is retried), the enrolment completing with it; revoked
and the enrolment reopened when the approval is reversed; re-issued on a new approval."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation.certificates import services as certificate_services
from accreditation.certificates.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Certificate,
    CertificateStatus,
    normalise_code,
)
from accreditation.signoff import services as signoff_services
from accreditation.signoff.models import SignoffRequest
from curriculum import services as curriculum
from curriculum.models import Enrolment, EnrolmentStatus
from curriculum.progress import progress_for
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import Conflict
from rastrack.notifications.models import Notification
from tests.builders.certificates import (  # noqa: F401 - fixtures
    certificate_fixture,
    certify,
    final_request,
)
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrol,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
    request_signoff,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/signoff-requests/"


def test_approving_the_final_signoff_issues_one_certificate_and_completes_the_enrolment(
        api, trainee, assigned_trainer, enrolment, competency):
    final = final_request(trainee, assigned_trainer, enrolment, competency)
    assert not Certificate.objects.exists()
    response = api.as_user(assigned_trainer).post(f"{URL}{final.pk}/approve/", format="json")
    assert response.status_code == 200

    certificate = Certificate.objects.get()
    assert (certificate.trainee, certificate.pathway_id, certificate.enrolment_id, certificate.signoff_request_id) == (
        trainee, enrolment.pathway_id, enrolment.pk, final.pk)
    assert certificate.status == CertificateStatus.VALID
    assert certificate.issued_on == timezone.localdate()
    assert len(certificate.verification_code) == CODE_LENGTH
    assert set(certificate.verification_code) <= set(CODE_ALPHABET)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_on == timezone.localdate()
    assert progress_for(enrolment).complete

    issued = AuditEntry.objects.get(action="certificate.issue")
    assert issued.actor_id == assigned_trainer.pk and issued.stream == f"portfolio:{trainee.pk}"
    assert issued.after["verification_code"] == certificate.verification_code
    assert AuditEntry.objects.filter(action="enrolment.complete", object_id=str(enrolment.pk)).count() == 1
    note = Notification.objects.get(recipient=trainee, kind="certificate.issued")
    assert certificate.verification_code in note.body and note.link == f"/certificates/{certificate.pk}/"


def test_a_retried_approval_is_a_409_and_issues_nothing_more(api, trainee, assigned_trainer, enrolment, competency):
    final = final_request(trainee, assigned_trainer, enrolment, competency)
    client = api.as_user(assigned_trainer)
    assert client.post(f"{URL}{final.pk}/approve/", format="json").status_code == 200
    assert client.post(f"{URL}{final.pk}/approve/", format="json").status_code == 409
    with pytest.raises(Conflict):
        signoff_services.signoff_request_approve(request=final, actor=assigned_trainer)
    assert Certificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 1
    assert Notification.objects.filter(kind="certificate.issued").count() == 1


def test_the_listener_is_idempotent(trainee, assigned_trainer, enrolment, competency, certificate):
    final = SignoffRequest.objects.get(pk=certificate.signoff_request_id)
    for _ in range(2):
        again = certificate_services.on_final_approved(request=final, actor=assigned_trainer)
        assert again is None
        assert certificate_services.certificate_issue(request=final, actor=assigned_trainer) == certificate
    # Registering the listener again does not make it run twice either.
    signoff_services.on_final_signoff_approved(certificate_services.on_final_approved)
    assert signoff_services._final_approved_listeners.count(certificate_services.on_final_approved) == 1
    assert Certificate.objects.count() == 1
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 1
    assert Certificate.objects.get().verification_code == certificate.verification_code


def test_the_database_refuses_a_second_certificate_for_an_enrolment(certificate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(trainee=certificate.trainee, pathway=certificate.pathway,
                                   enrolment=certificate.enrolment, signoff_request=certificate.signoff_request,
                                   issued_on=certificate.issued_on)


def test_the_database_refuses_a_revoked_certificate_without_a_reason(certificate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).unaudited_update("test setup", status=CertificateStatus.REVOKED)


def test_codes_are_unguessable_and_typed_back_forgivingly(certificate):
    codes = {Certificate._meta.get_field("verification_code").default() for _ in range(200)}
    assert len(codes) == 200
    code = certificate.verification_code
    assert normalise_code(certificate.code_display.lower()) == code
    assert normalise_code(f" {code[:8]} {code[8:]} ") == code
    assert normalise_code("0" * CODE_LENGTH) is None  # 0 is not in the alphabet
    assert normalise_code(code[:-1]) is None
    assert normalise_code("../../etc") is None


def test_only_an_approved_final_signoff_issues(trainee, assigned_trainer, enrolment, competency):
    final = final_request(trainee, assigned_trainer, enrolment, competency)
    with pytest.raises(Conflict):
        certificate_services.certificate_issue(request=final, actor=assigned_trainer)  # still pending
    docking = SignoffRequest.objects.get(target="competency")
    with pytest.raises(Conflict):
        certificate_services.certificate_issue(request=docking, actor=assigned_trainer)
    assert not Certificate.objects.exists()


def test_a_paused_enrolment_cannot_be_completed_so_the_approval_is_refused(
        api, admin, trainee, assigned_trainer, enrolment, competency):
    final = final_request(trainee, assigned_trainer, enrolment, competency)
    curriculum.enrolment_pause(actor=admin, enrolment=enrolment, kind="other", reason="Parental leave.")
    response = api.as_user(assigned_trainer).post(f"{URL}{final.pk}/approve/", format="json")
    assert response.status_code == 409 and "paused" in response.json()["detail"]
    final.refresh_from_db()
    assert final.status == "pending"  # the whole decision rolled back
    assert not Certificate.objects.exists()


def test_reversing_the_final_signoff_revokes_and_reopens_then_a_new_approval_reissues(
        api, admin, trainee, assigned_trainer, enrolment, competency, certificate):
    final = SignoffRequest.objects.get(pk=certificate.signoff_request_id)
    response = api.as_user(admin).post(f"{URL}{final.pk}/reverse/", {"reason": "Evidence was misattributed."},
                                       format="json")
    assert response.status_code == 200

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by == admin and certificate.revoked_on == timezone.localdate()
    assert certificate.revocation_reason == "Final sign-off reversed: Evidence was misattributed."
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.completed_on is None
    assert AuditEntry.objects.filter(action="certificate.revoke").count() == 1
    assert AuditEntry.objects.filter(action="enrolment.reopen", object_id=str(enrolment.pk)).count() == 1
    assert Notification.objects.filter(recipient=trainee, kind="certificate.revoked").count() == 1

    # The trainee may ask again; the new approval re-issues the same row, with the same code.
    again = request_signoff(trainee, assigned_trainer, enrolment=enrolment.pk)
    signoff_services.signoff_request_approve(request=again, actor=assigned_trainer)
    assert Certificate.objects.count() == 1
    reissued = Certificate.objects.get()
    assert reissued.status == CertificateStatus.VALID and reissued.signoff_request_id == again.pk
    assert reissued.verification_code == certificate.verification_code
    assert (reissued.revoked_on, reissued.revoked_by, reissued.revocation_reason) == (None, None, "")
    assert AuditEntry.objects.filter(action="certificate.reissue").count() == 1
    assert Notification.objects.filter(recipient=trainee, kind="certificate.issued").count() == 2
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_a_reversal_after_a_direct_revocation_keeps_the_first_reason(admin, enrolment, certificate):
    certificate_services.certificate_revoke(certificate=certificate, actor=admin, reason="Issued in error.")
    final = SignoffRequest.objects.get(pk=certificate.signoff_request_id)
    signoff_services.signoff_request_reverse(request=final, actor=admin, reason="Audit.")
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Issued in error."
    assert AuditEntry.objects.filter(action="certificate.revoke").count() == 1
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


def test_a_reversed_enrolment_is_not_reopened_when_the_trainee_was_enrolled_again(
        admin, trainee, pathway, enrolment, certificate):
    enrol(trainee, pathway)  # a new live enrolment on the same pathway
    final = SignoffRequest.objects.get(pk=certificate.signoff_request_id)
    signoff_services.signoff_request_reverse(request=final, actor=admin, reason="Audit.")
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.COMPLETED
    assert Certificate.objects.get().status == CertificateStatus.REVOKED


def test_each_enrolment_gets_its_own_certificate(trainee, other_trainee, assigned_trainer, pathway, enrolment,
                                                 competency, certificate):
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    others = enrol(other_trainee, pathway)
    second = certify(other_trainee, assigned_trainer, others, competency)
    assert second.pk != certificate.pk and second.verification_code != certificate.verification_code
    assert Certificate.objects.count() == 2


def _race(n, work):
    """Run `work()` in n threads started together; the outcomes, as "ok" or the error's class."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(("ok", work()))
        except Exception as exc:  # any refusal: the outcome is the point
            outcomes.append((type(exc).__name__, None))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_and_issues_make_one_certificate(trainee, assigned_trainer, enrolment, competency):
    final = final_request(trainee, assigned_trainer, enrolment, competency)
    outcomes = _race(4, lambda: signoff_services.signoff_request_approve(request=final, actor=assigned_trainer).pk)
    assert sorted(kind for kind, _ in outcomes) == ["Conflict"] * 3 + ["ok"]
    assert Certificate.objects.count() == 1

    final.refresh_from_db()
    outcomes = _race(4, lambda: certificate_services.certificate_issue(request=final, actor=assigned_trainer).pk)
    assert {value for _, value in outcomes} == {Certificate.objects.get().pk}
    assert AuditEntry.objects.filter(action="certificate.issue").count() == 1
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.COMPLETED
