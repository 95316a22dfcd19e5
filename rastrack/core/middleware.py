"""Request id: one id per request, echoed in the response and kept for the audit trail."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Accept a well-formed id from a proxy so that logs line up; otherwise make one.
        incoming = request.META.get(self.header, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class DomainErrorMiddleware:
    """Web pages answer a service's refusal as the API does: 404, 403, 409 or 400.

    Views may let `NotFound`, `NotPermitted`, `Conflict` and `ApplicationError` propagate;
    forms that want a per-field error catch `ApplicationError` themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from rastrack.core import views
        from rastrack.core.exceptions import ApplicationError, NotFound, NotPermitted

        if isinstance(exception, NotFound):
            return views.not_found(request)
        if isinstance(exception, NotPermitted):
            return views.forbidden(request)
        if isinstance(exception, ApplicationError):
            return views.refused(request, exception)
        return None
