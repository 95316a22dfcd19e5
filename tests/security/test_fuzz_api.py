"""API fuzzing with schemathesis against the project's own OpenAPI schema, in-process (WSGI).

Every operation of the schema, as several personas (a trainee, the assigned trainer, a
programme admin), with `FUZZ_EXAMPLES` generated examples each (valid and invalid data:
schemathesis' positive and negative modes), derandomized so CI runs the same examples every
time. Only hypothesis' generate phase runs: schemathesis' coverage phase (hundreds of
boundary cases per operation) would not fit the CI budget; the hostile-input tests
(test_hostile_input.py) send the boundary values that matter by hand. Checks: never a 5xx (`not_a_server_error`) and every response
conforms to the schema (`response_schema_conformance`: status code documented or an error,
body valid against the documented schema). Data the API must refuse (including NUL
characters, which PostgreSQL refuses in text) must come back as 4xx, never 500.

Throttles: the test settings raise the rates (rastrack/settings_test.py); the sign-in
lockout (django-axes) never engages because the token endpoint is called with random
usernames (a different username + address pair each time).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.security.matrix import schema as spectacular_schema

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ_PERSONAS = ["trainee", "assigned_trainer", "admin"]

# Binary downloads are checked for status and content type by their own tests; generating
# PDFs is slow and their bodies are not JSON.
SLOW = r"(/pdf/$|/portfolio/export/$)"

api_schema = schemathesis.openapi.from_dict(json.loads(json.dumps(spectacular_schema())))
api_schema.app = get_wsgi_application()
api_schema = api_schema.exclude(path_regex=SLOW)

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(autouse=True, scope="module")
def _keep_the_test_connection():
    """The real WSGI handler closes the database connection at the end of each request when
    it is inside a transaction (`close_old_connections`), which on PostgreSQL would end the
    suite's outer transaction. Django's test client disconnects the signal the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", FUZZ_PERSONAS)
@api_schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.generate], suppress_health_check=list(HealthCheck))
def test_the_api_never_errors_and_matches_its_schema(case, persona, world):
    headers = {"Authorization": f"Token {world.tokens[persona]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
