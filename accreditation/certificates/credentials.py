"""Every issued certificate as an Open Badges 3.0 `OpenBadgeCredential`, and its verification.

**The credential** is a W3C Verifiable Credential (data model 2.0) secured as a JWS (VC-JWT,
`typ: vc+jwt`): the JWT payload is the credential itself, with the registered claims `iss`
(the issuer's DID), `jti` (the credential's id), `nbf` and `iat` beside it, signed with the
service's Ed25519 key (`alg: EdDSA`, `kid` = the DID URL of the key: accreditation/certificates/
keys.py). Its parts:

- `issuer`: RASTrack's profile, `id` = `did:web:<host>` (keys published at /.well-known/did.json);
- `credentialSubject.achievement`: named after the pathway version ("Robotic literacy, version 2"),
  with its id, description and criteria;
- the holder: `credentialSubject.identifier`, an `IdentityObject` with the salted SHA-256 of their
  e-mail address (`sha256$<hex of sha256(email + salt)>`, the salt beside it: the holder can
  prove it is theirs, nobody can read the address from it) and one with their name;
- `credentialStatus`: a `BitstringStatusListEntry` (purpose revocation) pointing at a status
  list credential, `/credentials/status/<n>/`, a signed `BitstringStatusListCredential` whose
  bit is set while the certificate is revoked. Status lists hold 131,072 entries (the
  specification's minimum, for herd privacy); certificate id N is entry N mod 131,072 of list
  N div 131,072.

Anyone can verify it offline with the published key and read the status list; nothing else of
RASTrack's is needed. `credential_verify` is what the public check (`POST /verify/credential/`)
runs: malformed, not ours (another issuer, or a key that is not one of ours), tampered (the
signature does not match), revoked, or valid.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import hmac
import json
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from accreditation.certificates.keys import issuer_did, key_set, verification_method_id
from accreditation.certificates.models import Certificate, CertificateStatus

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ALGORITHMS = ["EdDSA", "Ed25519"]
STATUS_LIST_SIZE = 131072
MAX_CREDENTIAL_LENGTH = 64 * 1024
# The compact JWT as a .jwt (or .txt) file, or the JSON the API answered: text either way.
CREDENTIAL_FILE_ACCEPT = ".jwt,.json,.txt,application/json,text/plain"

VALID, REVOKED, INVALID = "valid", "revoked", "invalid"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: dict) -> str:
    key = key_set().signing
    header = {"alg": "EdDSA", "kid": verification_method_id(key), "typ": "vc+jwt", "cty": "vc"}
    with warnings.catch_warnings():
        # joserfc warns that RFC 9864 prefers "Ed25519"; "EdDSA" is what verifiers accept today.
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, json.dumps(payload, separators=(",", ":"), sort_keys=True),
                                     key, algorithms=ALGORITHMS)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _issuer() -> dict:
    return {"id": issuer_did(), "type": ["Profile"], "name": settings.CREDENTIAL_ISSUER_NAME,
            "url": settings.SITE_URL + "/"}


# --- Status lists ----------------------------------------------------------------------------------


def status_position(certificate_id: int) -> tuple[int, int]:
    """(list number, index in the list) of a certificate."""
    return divmod(certificate_id, STATUS_LIST_SIZE)


def status_list_url(number: int) -> str:
    return settings.SITE_URL + reverse("credential-status-list", args=[number])


def encoded_list(revoked_indexes) -> str:
    """The bitstring (index 0 is the first byte's most significant bit), GZIP-compressed,
    base64url without padding, multibase prefix "u"."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + _b64url(gzip.compress(bytes(bits), mtime=0))


def decode_list(encoded: str) -> bytes:
    return gzip.decompress(_b64url_decode(encoded.removeprefix("u")))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_payload(number: int, *, now: datetime.datetime | None = None) -> dict:
    start = number * STATUS_LIST_SIZE
    revoked = (Certificate.objects.filter(status=CertificateStatus.REVOKED, pk__gte=start,
                                          pk__lt=start + STATUS_LIST_SIZE).values_list("pk", flat=True))
    url = status_list_url(number)
    moment = now or timezone.now()
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": _iso(moment),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encoded_list(pk - start for pk in revoked)},
        "iss": issuer_did(), "iat": int(moment.timestamp()),
    }


def status_list_credential(number: int) -> str:
    return _sign(status_list_payload(number))


# --- The credential ---------------------------------------------------------------------------------


def _salt(certificate: Certificate) -> str:
    # Stable per certificate (every download of one credential is the same), unguessable.
    return hmac.new(settings.SECRET_KEY.encode(), f"credential-salt:{certificate.pk}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def identity_hash(identity: str, salt: str) -> str:
    """Open Badges 3.0's IdentityHash: "sha256$" + hex SHA-256 of the identity then the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def credential_id(certificate: Certificate) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"{settings.SITE_URL}/certificates/{certificate.pk}/"
                                        f"{certificate.signoff_request_id}"))


def achievement_name(pathway) -> str:
    return f"{pathway.title}, version {pathway.version}"


def credential_payload(certificate: Certificate, *, now: datetime.datetime | None = None) -> dict:
    pathway, trainee = certificate.pathway, certificate.trainee
    issued = datetime.datetime.combine(certificate.issued_on, datetime.time(), tzinfo=datetime.UTC)
    number, index = status_position(certificate.pk)
    salt = _salt(certificate)
    list_url = status_list_url(number)
    moment = now or timezone.now()
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name(pathway),
        "issuer": _issuer(),
        "validFrom": _iso(issued),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": salt,
                 "identityHash": identity_hash(trainee.email.lower(), salt)},
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": trainee.full_name},
            ],
            "achievement": {
                "id": f"{settings.SITE_URL}/curriculum/pathways/{pathway.pk}/",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement_name(pathway),
                "version": str(pathway.version),
                "description": pathway.description or f"Completed the RASTrack pathway {pathway.title}.",
                "criteria": {"narrative": "Every requirement of the pathway met on validated evidence, and the final "
                                          "sign-off approved by an accredited trainer."},
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(index), "statusListCredential": list_url,
        },
        # JWT registered claims, beside the credential's own (VC-JOSE-COSE).
        "iss": issuer_did(), "jti": credential_id(certificate), "nbf": int(issued.timestamp()),
        "iat": int(moment.timestamp()),
    }


def credential_issue(certificate: Certificate) -> tuple[str, dict]:
    """The signed credential (compact JWS) and its payload."""
    payload = credential_payload(certificate)
    return _sign(payload), payload


# --- Verification ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    status: str  # valid, revoked or invalid
    detail: str
    reason: str = ""  # for invalid: malformed, not_ours or tampered
    payload: dict | None = None


def _invalid(reason: str, detail: str) -> Verification:
    return Verification(status=INVALID, reason=reason, detail=detail)


def _parts(token: str) -> tuple[dict, dict] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, payload = (json.loads(_b64url_decode(p)) for p in parts[:2])
    except ValueError:
        return None
    return (header, payload) if isinstance(header, dict) and isinstance(payload, dict) else None


def credential_verify(token: str) -> Verification:
    token = (token or "").strip()
    if not token or len(token) > MAX_CREDENTIAL_LENGTH:
        return _invalid("malformed", "Malformed: paste the whole credential (a long text in three parts "
                                     "separated by dots), or upload its file.")
    decoded = _parts(token)
    if decoded is None:
        return _invalid("malformed", "Malformed: this is not a signed credential (a JWS in three parts "
                                     "separated by dots).")
    header, claims = decoded
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if (issuer_id or claims.get("iss")) != issuer_did():
        return _invalid("not_ours", f"Not ours: issued by {issuer_id or claims.get('iss') or 'an unnamed issuer'}, "
                                    f"not by {settings.CREDENTIAL_ISSUER_NAME} ({issuer_did()}).")
    key = key_set().by_kid(str(header.get("kid", "")))
    if key is None or header.get("alg") not in ALGORITHMS:
        return _invalid("not_ours", f"Not ours: it names {settings.CREDENTIAL_ISSUER_NAME} but was not signed with "
                                    "one of its keys.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError):
        return _invalid("tampered", "Tampered: the signature does not match the content; something in it was "
                                    "changed after it was issued.")
    types = claims.get("type") or []
    status = claims.get("credentialStatus") or {}
    if "OpenBadgeCredential" not in types or not isinstance(status, dict):
        return _invalid("malformed", "Malformed: signed by us, but not an Open Badges credential.")
    try:
        number = int(str(status.get("statusListCredential", "")).rstrip("/").rsplit("/", 1)[-1])
        certificate_id = number * STATUS_LIST_SIZE + int(status["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        return _invalid("malformed", "Malformed: the credential's status entry cannot be read.")
    certificate = (Certificate.objects.select_related("trainee", "pathway")
                   .only("id", "status", "issued_on", "revoked_on", "signoff_request_id", "trainee__full_name",
                         "pathway__title", "pathway__version").filter(pk=certificate_id).first())
    # (A credential of a certificate re-issued after a reversal has an older id: it is the same
    # certificate, valid again, as its printed verification code is.)
    if certificate is None:
        return _invalid("not_ours", "Not ours: no certificate of ours stands behind this credential.")
    what = f"{claims.get('name')} held by {certificate.trainee.full_name}, issued {certificate.issued_on:%-d %B %Y}"
    if certificate.status == CertificateStatus.REVOKED:
        return Verification(status=REVOKED, detail=f"Revoked: {what}; revoked on {certificate.revoked_on:%-d %B %Y}.",
                            payload=claims)
    return Verification(status=VALID, detail=f"Valid: {what}, by {settings.CREDENTIAL_ISSUER_NAME}.", payload=claims)
