"""The service's credential signing keys, and the issuer identity that publishes them.

Where the private keys live: a JWK Set of Ed25519 private keys (`{"keys": [...]}`), in the
`CREDENTIAL_SIGNING_KEYS` environment variable or in the file `CREDENTIAL_SIGNING_KEYS_FILE`
names; settings refuse to start without one outside DEBUG, like SECRET_KEY. In DEBUG with
neither, a key set is generated on first use in `$RASTRACK_VAR_DIR/credential-signing-keys.json`
(mode 0600). `manage.py credential_keys new` prints a new set; `credential_keys rotate` prints
the set with a new key first.

**Rotation.** The first key signs; every key of the set is published in the DID document
(`/.well-known/did.json`), so a credential signed by a key that is no longer first still
verifies. Remove a key from the set only to make everything it signed unverifiable (it leaked).

The issuer is `did:web:<SITE_URL's host>` (`did:web:rastrack.example.org`, a port written
`%3A8000`), resolved by anyone to https://<host>/.well-known/did.json.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import OKPKey

_lock = threading.Lock()
_cache: dict[str, KeySet] = {}


@dataclass(frozen=True)
class KeySet:
    keys: tuple[OKPKey, ...]

    @property
    def signing(self) -> OKPKey:
        return self.keys[0]

    def by_kid(self, kid: str) -> OKPKey | None:
        for key in self.keys:
            if verification_method_id(key) == kid:
                return key
        return None


def new_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519")


def key_set_json(keys) -> str:
    return json.dumps({"keys": [key.as_dict(private=True) for key in keys]}, indent=2)


def _source() -> tuple[str, str]:
    """(where, JSON text) of the configured key set."""
    if settings.CREDENTIAL_SIGNING_KEYS:
        return "CREDENTIAL_SIGNING_KEYS", settings.CREDENTIAL_SIGNING_KEYS
    if settings.CREDENTIAL_SIGNING_KEYS_FILE:
        path = Path(settings.CREDENTIAL_SIGNING_KEYS_FILE)
        return str(path), path.read_text()
    if not settings.DEBUG:
        raise ImproperlyConfigured("Set CREDENTIAL_SIGNING_KEYS (or CREDENTIAL_SIGNING_KEYS_FILE).")
    path = Path(settings.CREDENTIAL_KEYS_DEV_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key_set_json([new_key()]))
    return str(path), path.read_text()


def parse_key_set(text: str) -> KeySet:
    data = json.loads(text)
    keys = tuple(OKPKey.import_key(entry) for entry in data["keys"])
    if not keys or any(key.curve_name != "Ed25519" or not key.is_private for key in keys):
        raise ImproperlyConfigured("The credential signing keys must be Ed25519 private keys.")
    return KeySet(keys=keys)


def key_set() -> KeySet:
    where, text = _source()
    with _lock:
        cached = _cache.get(text)
        if cached is None:
            try:
                cached = parse_key_set(text)
            except (ValueError, KeyError, TypeError) as exc:
                raise ImproperlyConfigured(f"The credential signing keys in {where} cannot be read: {exc}") from None
            _cache.clear()
            _cache[text] = cached
    return cached


# --- The issuer's identity ----------------------------------------------------------------------


def issuer_did() -> str:
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += quote(f":{parts.port}")
    path = [quote(p) for p in parts.path.strip("/").split("/") if p]
    return ":".join(["did", "web", host, *path])


def verification_method_id(key: OKPKey) -> str:
    return f"{issuer_did()}#{key.thumbprint()}"


def public_jwk(key: OKPKey) -> dict:
    jwk = key.as_dict(private=False)
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"], "kid": key.thumbprint()}


def did_document() -> dict:
    """The DID document served at /.well-known/did.json: every key, the signing one first."""
    did = issuer_did()
    methods = [{"id": verification_method_id(key), "type": "JsonWebKey2020", "controller": did,
                "publicKeyJwk": public_jwk(key)} for key in key_set().keys]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
        "authentication": [m["id"] for m in methods],
    }
