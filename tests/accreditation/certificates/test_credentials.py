"""Open Badges 3.0 credentials: signing, the published key, verification (valid, revoked,
tampered, not ours, malformed), the status list, key rotation, and a second, independent JOSE
library (jwcrypto) that verifies a credential with nothing but the published DID document."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from django.test import Client
from joserfc.jwk import OKPKey
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

from accreditation.certificates import credentials, services
from accreditation.certificates.credentials import identity_hash
from accreditation.certificates.keys import key_set_json
from tests.builders.certificates import certificate_fixture  # noqa: F401 - fixtures
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.subprocesses import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db

def credential_of(api, user, certificate) -> dict:
    response = api.as_user(user).get(f"/api/v1/certificates/{certificate.pk}/credential/")
    assert response.status_code == 200, response.content
    return response.json()


def check(token, **extra) -> dict:
    # A plain client that enforces CSRF like a browser would: the check needs no token.
    response = Client(enforce_csrf_checks=True).post("/verify/credential/", {"credential": token},
                                                     content_type="application/json", **extra)
    assert response.status_code == 200, response.content
    return response.json()


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_the_credential_is_an_open_badge_named_after_the_pathway_version(api, trainee, certificate):
    body = credential_of(api, trainee, certificate)
    payload = body["payload"]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    pathway = certificate.pathway
    achievement = payload["credentialSubject"]["achievement"]
    assert achievement["name"] == f"{pathway.title}, version {pathway.version}" == payload["name"]
    assert payload["issuer"]["id"] == "did:web:127.0.0.1%3A8000" == payload["iss"]
    assert payload["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00Z"
    email_id, name_id = payload["credentialSubject"]["identifier"]
    assert email_id["hashed"] is True and trainee.email not in json.dumps(payload)
    assert email_id["identityHash"] == identity_hash(trainee.email.lower(), email_id["salt"])
    assert name_id == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                       "identityHash": trainee.full_name}
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(certificate.pk)
    header = json.loads(base64.urlsafe_b64decode(body["credential"].split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    assert header["kid"].startswith("did:web:127.0.0.1%3A8000#")
    # The same certificate gives the same credential content every time (stable salt and id).
    assert credential_of(api, trainee, certificate)["payload"]["id"] == payload["id"]


def test_a_genuine_credential_verifies_as_valid_without_a_csrf_token(api, trainee, certificate):
    result = check(credential_of(api, trainee, certificate)["credential"])
    assert result["status"] == "valid"
    assert trainee.full_name in result["detail"]


def test_the_check_page_takes_a_pasted_or_uploaded_credential(api, trainee, certificate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = credential_of(api, trainee, certificate)["credential"]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/verify/credential/")
    assert page.status_code == 200 and b"Check a digital credential" in page.content
    pasted = browser.post("/verify/credential/", {"credential": token}, HTTP_ACCEPT="text/html")
    assert pasted.status_code == 200 and b'data-credential-status="valid"' in pasted.content
    as_file = SimpleUploadedFile("credential.jwt", token.encode(), content_type="application/octet-stream")
    uploaded = browser.post("/verify/credential/", {"file": as_file}, HTTP_ACCEPT="text/html")
    assert b'data-credential-status="valid"' in uploaded.content
    # The API's own JSON answer, saved as a file, is taken too; without Accept: text/html, JSON.
    api_json = json.dumps(credential_of(api, trainee, certificate)).encode()
    answer = browser.post("/verify/credential/", {"file": SimpleUploadedFile("c.json", api_json)})
    assert answer.json()["status"] == "valid"
    assert pasted["X-Robots-Tag"] == "noindex, nofollow"


def test_a_tampered_credential_is_invalid_and_says_so(api, trainee, certificate):
    token = credential_of(api, trainee, certificate)["credential"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["achievement"]["name"] = "Robotic console, independent practice"
    result = check(".".join([header, b64(claims), signature]))
    assert result["status"] == "invalid" and result["detail"].startswith("Tampered")


def test_a_credential_from_another_issuer_or_key_is_not_ours(api, trainee, certificate):
    from joserfc import jws

    payload = credential_of(api, trainee, certificate)["payload"]
    stranger = OKPKey.generate_key("Ed25519")
    forged = jws.serialize_compact({"alg": "EdDSA", "kid": payload["iss"] + "#other"}, json.dumps(payload),
                                   stranger, algorithms=["EdDSA"])
    result = check(forged)
    assert result["status"] == "invalid" and result["detail"].startswith("Not ours")
    elsewhere = {**payload, "iss": "did:web:badges.example.org", "issuer": {"id": "did:web:badges.example.org"}}
    other = jws.serialize_compact({"alg": "EdDSA", "kid": "did:web:badges.example.org#1"}, json.dumps(elsewhere),
                                  stranger, algorithms=["EdDSA"])
    result = check(other)
    assert result["status"] == "invalid" and "did:web:badges.example.org" in result["detail"]


@pytest.mark.parametrize("garbage", ["", "not a credential", "a.b.c", "e30.e30", "x" * 70000])
def test_malformed_input_is_invalid_as_malformed(garbage):
    result = check(garbage)
    assert result == {"status": "invalid", "detail": result["detail"]} and result["detail"].startswith("Malformed")


def test_a_broken_json_body_is_malformed_not_an_error():
    response = Client().post("/verify/credential/", b"{not json", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "invalid"


def test_a_revoked_certificates_credential_verifies_as_revoked_and_the_status_list_says_so(
        api, trainee, admin, certificate):
    token = credential_of(api, trainee, certificate)["credential"]
    services.certificate_revoke(certificate=certificate, actor=admin, reason="Issued in error.")
    result = check(token)
    assert result["status"] == "revoked"
    # What an offline verifier does: read the status list credential and the entry's bit.
    status = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["credentialStatus"]
    path = status["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    listed = Client().get(path)
    assert listed.status_code == 200 and listed["Content-Type"] == "application/vc+jwt"
    list_claims = json.loads(base64.urlsafe_b64decode(listed.content.split(b".")[1] + b"=="))
    assert list_claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = credentials.decode_list(list_claims["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == credentials.STATUS_LIST_SIZE
    assert credentials.is_set(bits, int(status["statusListIndex"]))
    assert not credentials.is_set(bits, int(status["statusListIndex"]) + 1)


def test_key_rotation_keeps_old_credentials_verifiable(api, trainee, certificate, settings):
    old_token = credential_of(api, trainee, certificate)["credential"]
    old_keys = json.loads(settings.CREDENTIAL_SIGNING_KEYS)["keys"]
    new = OKPKey.generate_key("Ed25519")
    settings.CREDENTIAL_SIGNING_KEYS = json.dumps({"keys": [new.as_dict(private=True), *old_keys]})
    assert check(old_token)["status"] == "valid"
    new_token = credential_of(api, trainee, certificate)["credential"]
    kid = json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"]
    assert kid.endswith("#" + new.thumbprint())
    document = Client().get("/.well-known/did.json").json()
    assert [m["id"] for m in document["verificationMethod"]][0] == kid and len(document["assertionMethod"]) == 2
    # A key taken out of the set (it leaked) no longer vouches for what it signed.
    settings.CREDENTIAL_SIGNING_KEYS = json.dumps({"keys": [new.as_dict(private=True)]})
    assert check(old_token)["status"] == "invalid" and check(new_token)["status"] == "valid"


def test_a_second_jose_library_verifies_it_with_only_the_did_document(api, trainee, certificate):
    token = credential_of(api, trainee, certificate)["credential"]
    document = Client().get("/.well-known/did.json")
    assert document.status_code == 200 and document["Content-Type"] == "application/did+json"
    did = document.json()
    # From here on: jwcrypto, the token and the DID document; nothing of RASTrack's.
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    method = next(m for m in did["verificationMethod"] if m["id"] == header["kid"])
    assert method["controller"] == did["id"]
    key = jwcrypto_jwk.JWK(**method["publicKeyJwk"])
    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(token)
    verifier.verify(key, alg="EdDSA")
    claims = json.loads(verifier.payload)
    assert claims["issuer"]["id"] == did["id"] and "OpenBadgeCredential" in claims["type"]
    # ...and it refuses a tampered copy.
    header_part, payload_part, signature = token.split(".")
    changed = json.loads(base64.urlsafe_b64decode(payload_part + "=="))
    changed["validFrom"] = "2020-01-01T00:00:00Z"
    forged = jwcrypto_jws.JWS()
    forged.deserialize(".".join([header_part, b64(changed), signature]))
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        forged.verify(key, alg="EdDSA")


def test_the_credential_check_is_routed_before_the_code_page():
    from django.urls import resolve

    assert resolve("/verify/credential/").url_name == "credential-verify"
    assert resolve("/verify/ABCDEFGHJKMNPQRS/").url_name == "certificate-verify"


def test_others_cannot_fetch_someone_elses_credential(api, other_trainee, lab_manager, certificate):
    assert api.as_user(other_trainee).get(f"/api/v1/certificates/{certificate.pk}/credential/").status_code == 404
    assert api.as_user(lab_manager).get(f"/api/v1/certificates/{certificate.pk}/credential/").status_code == 403


def test_the_holder_downloads_the_credential_file_from_the_certificate_page(client, trainee, certificate):
    client.force_login(trainee)
    page = client.get(f"/certificates/{certificate.pk}/")
    assert f"/certificates/{certificate.pk}/credential.jwt".encode() in page.content
    download = client.get(f"/certificates/{certificate.pk}/credential.jwt")
    assert download.status_code == 200 and download["Content-Type"] == "application/vc+jwt"
    assert check(download.content.decode())["status"] == "valid"


def test_in_debug_a_key_set_is_made_on_first_use_and_kept(settings, tmp_path):
    from accreditation.certificates.keys import key_set

    settings.DEBUG = True
    settings.CREDENTIAL_SIGNING_KEYS = settings.CREDENTIAL_SIGNING_KEYS_FILE = ""
    settings.CREDENTIAL_KEYS_DEV_FILE = tmp_path / "var" / "credential-signing-keys.json"
    first = key_set().signing.thumbprint()
    assert settings.CREDENTIAL_KEYS_DEV_FILE.stat().st_mode & 0o777 == 0o600
    assert key_set().signing.thumbprint() == first


def _manage(env: dict, *args) -> subprocess.CompletedProcess:
    # The test process exports its own signing keys; an operator's process starts without them.
    return run_manage({**PRODUCTION, "CREDENTIAL_SIGNING_KEYS": "", **env}, *args)


def test_production_refuses_to_start_without_signing_keys_or_with_bad_ones(tmp_path):
    missing = _manage({}, "check")
    assert missing.returncode != 0 and "CREDENTIAL_SIGNING_KEYS" in missing.stderr
    bad = _manage({"CREDENTIAL_SIGNING_KEYS": '{"keys": [{"kty": "RSA"}]}'}, "check")
    assert bad.returncode != 0 and "not an Ed25519 private key" in bad.stderr
    key_file = tmp_path / "keys.json"
    key_file.write_text(key_set_json([OKPKey.generate_key("Ed25519")]))
    assert _manage({"CREDENTIAL_SIGNING_KEYS_FILE": str(key_file)}, "check").returncode == 0
