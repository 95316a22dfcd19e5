"""Canonical JSON for hashing: sorted keys, no spaces, UTC timestamps, decimals as strings.

The same value must hash the same on every machine and after a round trip through the
database, so `before` / `after` snapshots are canonicalised before they are stored.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.db.models.fields.files import FieldFile


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("Naive datetimes cannot be hashed: their instant is unknown.")
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"Cannot put {type(value).__name__} in the audit trail.")


def canonical_json(value: Any) -> str:
    return json.dumps(value, default=_default, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)


def canonicalise(value: Any) -> Any:
    """The JSON-native form of a value, exactly as it will be hashed and stored."""
    return json.loads(canonical_json(value))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
