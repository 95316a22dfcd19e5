"""The permission matrix: every API operation, as every persona, on their own and others' objects.

Operations come from the OpenAPI schema (`matrix.operations()`); each must have a row in
`TABLE` (tests/security/permission_table.py; an operation without one fails
`test_every_operation_has_a_row`, naming it). A row gives the expected status per persona,
in the order of `tests.builders.security.PERSONAS`:

    trainee  other_trainee  assigned_trainer  unassigned_trainer  lab_manager
    other_lab_manager  lead  other_lead  admin  anon

Detail operations (`{id}`) and the collection operations asked about one trainee through a
query parameter (`matrix.SIDED_QUERIES`) have two lines: "own" is the trainee's object (the
London lab, a published curriculum object), "others" other_trainee's (the North West lab,
a draft curriculum object); see tests/builders/security.py. API.md's rules: anonymous 401; a
role that may never use the endpoint 403; a record outside the caller's scope 404 (the same
as one that does not exist); visible but not theirs to act on 403. Writes send a body that
succeeds for an allowed persona (tests/security/requests.py), so the status measures the
authorization decision. Where an allowed caller still gets 409 the object's state is the
reason, noted on the row.

Each cell is its own test, in a savepoint: writes never leak into the next cell.
"""

from __future__ import annotations

import pytest

from tests.security.matrix import call, cells, expected, operations
from tests.security.permission_table import TABLE
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db


def test_every_operation_has_a_row():
    missing = [f"{op_id} ({method} {path})" for method, path, op_id in operations()
               if (method, path) not in TABLE]
    assert not missing, "operations without a row in the permission matrix: " + ", ".join(missing)


def test_every_row_is_an_operation():
    known = {(method, path) for method, path, _ in operations()}
    assert not [key for key in TABLE if key not in known], "rows for operations the API no longer has"


CELLS = cells(TABLE)


@pytest.mark.parametrize(("method", "path", "persona", "side"), CELLS,
                         ids=[f"{m} {p} {persona} {side or 'all'}" for m, p, persona, side in CELLS])
def test_cell(world, method, path, persona, side):
    response = call(world, client_for(world, persona), persona, method, path, side)
    want = expected(TABLE, method, path, persona, side)
    assert response.status_code < 500
    assert response.status_code == want, (
        f"{method} {path} as {persona} on {side or 'the collection'}: {response.status_code}, expected {want}: "
        f"{getattr(response, 'data', None) or response.content[:300]!r}")
