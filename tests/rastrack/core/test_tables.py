"""The responsive table tag: a plain NHS.UK table becomes one that stacks into rows on a phone."""

import re

from django.template import Context, Template

TABLE = """{% load tables %}{% responsive_table %}<table class="nhsuk-table rastrack-x">
  <caption class="nhsuk-table__caption">Seats</caption>
  <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
    <th scope="col" class="nhsuk-table__header">Region</th>
    <th scope="col" class="nhsuk-table__header">Kind <span class="nhsuk-u-visually-hidden">of session</span></th>
    <th scope="col" class="nhsuk-table__header nhsuk-table__header--numeric">Free seats</th>
  </tr></thead>
  <tbody class="nhsuk-table__body">
  {% for row in rows %}<tr class="nhsuk-table__row" data-row>
    <th scope="row" class="nhsuk-table__header">{{ row.0 }}</th>
    <td class="nhsuk-table__cell">{{ row.1 }}</td>
    <td class="nhsuk-table__cell nhsuk-table__cell--numeric"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Free </span>{{ row.2 }}</td>
  </tr>{% empty %}<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="3">No seats.</td></tr>{% endfor %}
  </tbody>
</table>{% endresponsive_table %}"""


def _render(rows) -> str:
    return Template(TABLE).render(Context({"rows": rows}))


def heading(text: str) -> str:
    return f'<span class="nhsuk-table-responsive__heading" aria-hidden="true">{text} </span>'


def test_every_body_cell_gets_its_column_heading_and_the_table_its_roles():
    html = _render([("London", "Dry & wet lab", 4)])
    assert '<table role="table" class="nhsuk-table-responsive rastrack-x">' in html
    assert '<thead role="rowgroup" class="nhsuk-table__head"><tr role="row" class="nhsuk-table__row">' in html
    assert '<th role="columnheader" scope="col" class="nhsuk-table__header">Region</th>' in html
    assert '<tbody role="rowgroup" class="nhsuk-table__body">' in html
    assert '<tr role="row" class="nhsuk-table__row" data-row>' in html
    assert f'<th role="rowheader" scope="row" class="nhsuk-table__header">{heading("Region")}London</th>' in html
    # The heading is the column's words, visually hidden parts included; the content stays escaped.
    assert f'<td role="cell" class="nhsuk-table__cell">{heading("Kind of session")}Dry &amp; wet lab</td>' in html
    # A cell that already names its column keeps its own heading, once.
    assert f'{heading("Free")}4</td>' in html and "Free seats </span>" not in html


def test_a_cell_across_every_column_gets_no_heading():
    html = _render([])
    assert '<td role="cell" class="nhsuk-table__cell" colspan="3">No seats.</td>' in html
    assert html.count("nhsuk-table-responsive__heading") == 0


def test_every_row_of_a_long_table_gets_its_headings():
    html = _render([(f"Region {n}", "Wet lab", n) for n in range(30)])
    assert html.count(heading("Region")) == 30 and html.count(heading("Kind of session")) == 30


def test_every_table_of_the_pages_is_responsive():
    """A new table that forgets the tag would run off a phone's screen: none may."""
    from pathlib import Path

    from django.conf import settings

    bare = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            text = path.read_text()
            outside = re.sub(r"\{% responsive_table %\}.*?\{% endresponsive_table %\}", "", text, flags=re.S)
            if "<table" in outside:
                bare.append(str(path))
    assert not bare, "tables without {% responsive_table %}: " + ", ".join(bare)
