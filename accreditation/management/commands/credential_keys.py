"""Credential signing keys (accreditation/certificates/keys.py).

    manage.py credential_keys new               a new key set (one Ed25519 private key), as JSON
    manage.py credential_keys rotate FILE       FILE's key set with a new key first (it signs from
                                                now on; the old keys stay, so what they signed
                                                still verifies)
    manage.py credential_keys public            the public keys now configured (the DID document)

The output is the value of CREDENTIAL_SIGNING_KEYS (or the content of CREDENTIAL_SIGNING_KEYS_FILE).
It holds private keys: keep it where SECRET_KEY is kept.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accreditation.certificates.keys import did_document, key_set_json, new_key, parse_key_set


class Command(BaseCommand):
    help = "Make, rotate or show the credential signing keys."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["new", "rotate", "public"])
        parser.add_argument("file", nargs="?", help="rotate: the key set file to rotate")

    def handle(self, *args, what, file=None, **options):
        if what == "new":
            self.stdout.write(key_set_json([new_key()]))
        elif what == "rotate":
            if not file:
                raise CommandError("rotate needs the key set file: credential_keys rotate FILE")
            try:
                current = parse_key_set(Path(file).read_text())
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"{file}: {exc}") from None
            self.stdout.write(key_set_json([new_key(), *current.keys]))
        else:
            self.stdout.write(json.dumps(did_document(), indent=2))
