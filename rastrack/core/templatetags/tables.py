"""Tables that stack into rows on a phone: the NHS.UK responsive table.

`{% responsive_table %}<table class="nhsuk-table">...</table>{% endresponsive_table %}` takes
the table's own markup and gives it what the design system's responsive pattern needs, so no
template repeats it: the `nhsuk-table-responsive` class, the ARIA table roles (the stacked
rows are no longer laid out as a table, so the roles keep it one for screen readers), and in
every body cell the column's heading (`<span class="nhsuk-table-responsive__heading">`),
shown only on narrow screens. A cell spanning several columns (a "nothing yet" row) gets no
heading; a cell that already has one keeps it.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

HEADING = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>'
_NAME = re.compile(r"<\w+")
_TABLE = re.compile(r"<table\b[^>]*>")
_CLASS = re.compile(r'class="([^"]*)"')
_SECTION = re.compile(r"(<(thead|tbody|tfoot)\b[^>]*>)(.*?)(</\2>)", re.S)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_HEADER_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_HEADER_TAG = re.compile(r"<th\b[^>]*>")
_CELL = re.compile(r"<(td|th)\b([^>]*)>")
_COLSPAN = re.compile(r'colspan="(\d+)"')


def _with_role(tag: str, role: str) -> str:
    """`<td class="x">` -> `<td role="cell" class="x">` (a role already there is kept)."""
    if " role=" in tag:
        return tag
    name_end = _NAME.match(tag).end()
    return f'{tag[:name_end]} role="{role}"{tag[name_end:]}'


def _span(attrs: str) -> int:
    found = _COLSPAN.search(attrs)
    return int(found.group(1)) if found else 1


def _column_headings(thead: str) -> list[str]:
    """The last header row's headings, one per column (a colspan repeats its heading)."""
    rows = _ROW.findall(thead)
    if not rows:
        return []
    headings: list[str] = []
    for attrs, content in _HEADER_CELL.findall(rows[-1][1]):
        text = " ".join(strip_tags(content).split())
        headings += [text] * _span(attrs)
    return headings


def _body_row(row: str, headings: list[str]) -> str:
    out: list[str] = []
    column = 0
    position = 0
    for cell in _CELL.finditer(row):
        kind, attrs = cell.group(1), cell.group(2)
        span = _span(attrs)
        out.append(row[position:cell.start()])
        out.append(_with_role(cell.group(0), "rowheader" if kind == "th" else "cell"))
        position = cell.end()
        heading = headings[column] if span == 1 and column < len(headings) else ""
        if heading and not row.startswith('<span class="nhsuk-table-responsive__heading"', position):
            out.append(HEADING.format(heading))
        column += span
    out.append(row[position:])
    return "".join(out)


def responsive(html: str) -> str:
    """The NHS.UK responsive version of a rendered `<table class="nhsuk-table">`."""
    thead = re.search(r"<thead\b.*?</thead>", html, re.S)
    headings = _column_headings(thead.group(0)) if thead else []

    def table(match: re.Match) -> str:
        tag = match.group(0)
        classes = _CLASS.search(tag)
        if classes:
            names = ["nhsuk-table-responsive" if name == "nhsuk-table" else name for name in classes.group(1).split()]
            tag = tag.replace(classes.group(0), f'class="{" ".join(names)}"')
        else:
            tag = tag.replace("<table", '<table class="nhsuk-table-responsive"', 1)
        return _with_role(tag, "table")

    def section(match: re.Match) -> str:
        opening, kind, content, closing = match.groups()
        head = kind == "thead"

        def row(found: re.Match) -> str:
            tr, cells, end = found.groups()
            if head:
                cells = _HEADER_TAG.sub(lambda th: _with_role(th.group(0), "columnheader"), cells)
            else:
                cells = _body_row(cells, headings)
            return _with_role(tr, "row") + cells + end

        return _with_role(opening, "rowgroup") + _ROW.sub(row, content) + closing

    html = _TABLE.sub(table, html, count=1)
    return _SECTION.sub(section, html)


class ResponsiveTableNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        return mark_safe(responsive(self.nodelist.render(context)))  # noqa: S308 - the table's own rendered, escaped markup


@register.tag
def responsive_table(parser, token):
    nodelist = parser.parse(("endresponsive_table",))
    parser.delete_first_token()
    return ResponsiveTableNode(nodelist)
