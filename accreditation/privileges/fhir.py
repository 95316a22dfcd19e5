"""A surgeon's robotic privileges as FHIR Practitioner qualifications (registered with
accreditation/certificates/fhir.py in AppConfig.ready): one per privilege that was granted,
its status in the same extension, the period it allowed operating."""

from __future__ import annotations

from django.conf import settings

from accreditation.certificates.fhir import status_extension
from accreditation.privileges.models import Privilege


def privilege_qualifications(person) -> list[dict]:
    base = settings.SITE_URL + "/fhir"
    entries = []
    for p in (Privilege.objects.filter(surgeon=person, granted_on__isnull=False)
              .select_related("site", "procedure_group").order_by("granted_on", "id")):
        period = {"start": p.granted_on.isoformat()}
        if p.ended_on:
            period["end"] = p.ended_on.isoformat()
        entries.append({
            "extension": status_extension(p.status),
            "identifier": [{"system": f"{base}/Id/privilege", "value": str(p.pk)}],
            "code": {"coding": [{"system": f"{base}/CodeSystem/qualification", "code": "ras-privilege",
                                 "display": "Robotic surgery privileges"}],
                     "text": f"Robotic privileges: {p.procedure_group.name}, {p.get_platform_display()}, "
                             f"{p.site.name}"},
            "period": period,
            "issuer": {"display": p.site.name},
        })
    return entries
