"""THE CSV writer: every CSV file the product writes (logbook, assessments, portfolio,
dashboards, the import template) goes through `csv_text`, which escapes every text cell
against formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (`=HYPERLINK(...)` in a trainee's notes or name would run on the reader's machine).
Such a cell is written with a leading `'`, which spreadsheets show as text and never run; the
logbook import removes that prefix again. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    """One cell as text, a formula-looking text prefixed with `'`; numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """The inverse of `escape_cell` for text read back from a file this writer made."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> str:
    """The header and the rows as CSV text (RFC 4180 line ends), every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([escape_cell(name) for name in header])
    for row in rows:
        writer.writerow([escape_cell(value) for value in row])
    return out.getvalue()
