"""The demo: trainee2 completes Robotic literacy on real evidence and holds its certificate
(read from the shared demo world, tests/builders/demo.py; that seeding it again issues no
second certificate is tests/rastrack/test_seed_demo.py's)."""

import datetime

from django.utils import timezone

from accreditation.certificates.models import Certificate, CertificateStatus
from curriculum.models import EnrolmentStatus
from curriculum.progress import progress_for
from rastrack.audit.models import AuditEntry
from rastrack.notifications.models import Notification

TRAINEE2 = "trainee2@demo.rastrack.org"


def test_trainee2_completes_robotic_literacy_with_a_certificate(demo_world, client):
    certificate = Certificate.objects.select_related("enrolment", "signoff_request").get(trainee__email=TRAINEE2)
    assert certificate.pathway.code == "robotic-literacy" and certificate.status == CertificateStatus.VALID
    four_days_ago = timezone.localdate() - datetime.timedelta(days=4)
    assert certificate.issued_on == four_days_ago

    enrolment = certificate.enrolment
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_on == four_days_ago
    progress = progress_for(enrolment)
    assert progress.complete and progress.met_count == progress.total == 13  # every requirement, on evidence

    final = certificate.signoff_request
    assert final.status == "approved" and final.decided_by.email == "trainer1@demo.rastrack.org"
    assert AuditEntry.objects.filter(action="certificate.issue", object_id=str(certificate.pk)).exists()
    assert Notification.objects.filter(recipient__email=TRAINEE2, kind="certificate.issued").count() == 1
    response = client.get(f"/verify/{certificate.verification_code}/")
    assert response.status_code == 200 and "Chloe Evans" in response.content.decode()
