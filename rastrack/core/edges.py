"""The edges of what any door accepts: integers that fit a 64-bit column and calendar dates
inside the years RASTrack can reason about. One check for every query string, form field and
JSON body (`EdgeInputMiddleware`, `rastrack.core.api.parsers.BoundedJSONParser`), so no lookup
or date arithmetic ever sees them.

- An integer beyond a signed 64-bit value cannot be an id: SQLite raises OverflowError
  binding it, PostgreSQL a range error (both a 500 if it got that far).
- A date, month or ISO week outside `FIRST_YEAR..LAST_YEAR` (rastrack/core/months.py) is
  refused: a week or month around year 1 or year 9999 overflows `datetime.date` arithmetic.
- JSON nested deeper than `MAX_JSON_DEPTH` is refused before any serializer walks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rastrack.core.months import FIRST_YEAR, LAST_YEAR

MAX_INT = 2**63 - 1
MAX_JSON_DEPTH = 32
INT_MESSAGE = "This number is too large."
DATE_MESSAGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."

_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
# 2026-11-28, 2026-11, 2026-W48 (and 2026-W48-1), with any number of year digits.
_DATE_LIKE = re.compile(r"^\s*[+-]?(\d{1,9})-(?:W\d{1,2}(?:-\d)?|\d{1,2}(?:-\d{1,2})?)\s*$", re.IGNORECASE)


def edge_refusal(value: str) -> str | None:
    """Why a single text value is outside the edges, or None."""
    if len(value) > 64:
        return None  # free text, not an id or a date
    if _INTEGER.match(value):
        return INT_MESSAGE if abs(int(value)) > MAX_INT else None
    match = _DATE_LIKE.match(value)
    if match and not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return DATE_MESSAGE
    return None


def edge_errors(pairs: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """Field -> messages for every value outside the edges (query strings, form fields)."""
    errors: dict[str, list[str]] = {}
    for key, values in pairs:
        for value in values:
            message = edge_refusal(value) if isinstance(value, str) else None
            if message:
                errors.setdefault(key, []).append(message)
                break
    return errors


def json_edge_error(data) -> str | None:
    """Why a parsed JSON document is outside the edges (too deep, an integer too large)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused."
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            return INT_MESSAGE
    return None
