"""A person as a FHIR R4 `Practitioner`: their registration number and, as `qualification`
entries, what RASTrack knows they hold: the trainer accreditation (faculty) and each
certificate. Read by `GET /api/v1/fhir/Practitioner/<user id>/` (accreditation/certificates/api.py)
for those who may see that person's records (`trainee_scope`; others 404).

Each qualification has `identifier` (RASTrack's id of the record), `code` (a RASTrack code
system, with the pathway or specialty as text), `period` (start, and end where one is set),
`issuer` (RASTrack, by display) and the record's status in an extension (R4's qualification
has no status element): `accredited`, `suspended`, `lapsed`, `revoked` for accreditations,
`valid` / `revoked` for certificates. The JSON is plain dicts, checked against FHIR R4 in the
tests with `fhir.resources` (R4B models: the Practitioner resource is unchanged from R4).

**Extension point.** Contexts above this one add qualification entries by registering a
function `(practitioner: User) -> list[dict]` with `register_qualification_source(fn)` in
AppConfig.ready(): robotic privileges do (accreditation/privileges/fhir.py), so this module
never imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from accreditation.certificates.models import Certificate
from accreditation.faculty.models import Accreditation
from rastrack.accounts.models import User
from rastrack.accounts.validators import RegistrationBody

# UK Core identifier systems of the professional registers.
REGISTRATION_SYSTEMS = {
    RegistrationBody.GMC: "https://fhir.hl7.org.uk/Id/gmc-number",
    RegistrationBody.NMC: "https://fhir.hl7.org.uk/Id/nmc-number",
    RegistrationBody.HCPC: "https://fhir.hl7.org.uk/Id/hcpc-number",
}

_sources: list[Callable[[User], list[dict]]] = []


def register_qualification_source(source: Callable[[User], list[dict]]) -> None:
    if source not in _sources:
        _sources.append(source)


def _base() -> str:
    return settings.SITE_URL + "/fhir"


def status_extension(code: str) -> list[dict]:
    return [{"url": f"{_base()}/StructureDefinition/qualification-status", "valueCode": code}]


def _issuer() -> dict:
    return {"display": settings.CREDENTIAL_ISSUER_NAME}


def _period(start, end=None) -> dict:
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return period


def _accreditation_entries(person: User) -> list[dict]:
    accreditation = Accreditation.objects.filter(trainer=person).first()
    if accreditation is None:
        return []
    specialty = accreditation.get_specialty_display() if accreditation.specialty else ""
    return [{
        "extension": status_extension(accreditation.status),
        "identifier": [{"system": f"{_base()}/Id/accreditation", "value": str(accreditation.pk)}],
        "code": {"coding": [{"system": f"{_base()}/CodeSystem/qualification", "code": "ras-trainer",
                             "display": "Accredited robotic surgery trainer"}],
                 "text": " ".join(filter(None, ["Robotic surgery trainer", f"({specialty})" if specialty else ""]))},
        "period": _period(accreditation.accredited_on, accreditation.expires_on),
        "issuer": _issuer(),
    }]


def _certificate_entries(person: User) -> list[dict]:
    entries = []
    for certificate in Certificate.objects.filter(trainee=person).select_related("pathway").order_by("issued_on", "id"):
        pathway = certificate.pathway
        entries.append({
            "extension": status_extension(certificate.status),
            "identifier": [{"system": f"{_base()}/Id/certificate", "value": certificate.verification_code}],
            "code": {"coding": [{"system": f"{_base()}/CodeSystem/pathway", "code": pathway.code,
                                 "display": pathway.title}],
                     "text": f"{pathway.title}, version {pathway.version}"},
            "period": _period(certificate.issued_on, certificate.revoked_on),
            "issuer": _issuer(),
        })
    return entries


def practitioner(person: User) -> dict:
    identifiers = [{"system": f"{_base()}/Id/user", "value": str(person.pk)}]
    if person.registration_body and person.registration_number:
        identifiers.insert(0, {"use": "official", "system": REGISTRATION_SYSTEMS[person.registration_body],
                               "value": person.registration_number})
    parts = person.full_name.split()
    name = {"use": "official", "text": person.full_name}
    if parts:
        name["family"] = parts[-1]
        if len(parts) > 1:
            name["given"] = parts[:-1]
    qualifications = _accreditation_entries(person) + _certificate_entries(person)
    for source in _sources:
        qualifications += source(person)
    resource = {
        "resourceType": "Practitioner",
        "id": str(person.pk),
        "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/Practitioner"]},
        "identifier": identifiers,
        "active": person.is_active,
        "name": [name],
    }
    if qualifications:
        resource["qualification"] = qualifications
    return resource
