"""Certificates' xAPI statement: a certificate issued (README "xAPI")."""

from __future__ import annotations

import datetime

from django.utils import timezone

from rastrack.notifications.xapi import activity, iri, xapi_record


def certificate_issued(certificate, *, verification_url: str) -> None:
    """`<trainee> earned <pathway version>`, with the certificate's public verification address."""
    pathway = certificate.pathway
    xapi_record(
        key=f"certificate.issued:{certificate.pk}:{certificate.signoff_request_id}", who=certificate.trainee,
        verb="earned", what=activity("pathway", pathway.pk, f"{pathway.title}, version {pathway.version}"),
        timestamp=timezone.make_aware(datetime.datetime.combine(certificate.issued_on, datetime.time(12))),
        result={"success": True, "completion": True},
        context={"extensions": {iri("extensions/certificate"): verification_url}},
    )
