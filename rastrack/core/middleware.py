"""Request id: one id per request, echoed in the response and kept for the audit trail.

The server always makes its own id. A client's `X-Request-ID` (a proxy's, so that logs line
up) is kept beside it only when it is a UUID, and stored normalised: the audit trail is
hash-chained evidence, and a client's free text has no place in it."""

from __future__ import annotations

import re
import secrets
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def client_request_id(value: str) -> str | None:
    """A client's request id if it is a UUID (normalised to 32 hex digits), else None."""
    if not value or not _UUID.match(value):
        return None
    return uuid.UUID(value).hex


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Our own id (24 hex digits), and the client's beside it when it is a UUID: at most
        # 64 characters, the audit entry's field.
        server_id = secrets.token_hex(12)
        client_id = client_request_id(request.META.get(self.header, ""))
        request_id = f"{server_id};client={client_id}" if client_id else server_id
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = server_id
        if client_id:
            response["X-Client-Request-ID"] = client_id
        return response


class DomainErrorMiddleware:
    """Web pages answer a service's refusal as the API does: 404, 403, 409 or 400.

    Views let `NotFound`, `NotPermitted`, `Conflict` and `ApplicationError` propagate and
    never translate them (no `except NotPermitted: raise PermissionDenied`): this is the one
    place they become error pages. A form page keeps the refusals it can show on the form
    through `rastrack.core.forms.submit_form`; the rest reach this middleware.
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


# --- The database is down -------------------------------------------------------------------

DATABASE_DOWN_MESSAGE = (
    "The service is temporarily unavailable: it cannot reach its database. "
    "Nothing was saved. Try again in a few minutes."
)
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exception: BaseException | None) -> bool:
    """Lost or refused database connection (not a constraint or data error)."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, (OperationalError, InterfaceError))


def database_unavailable_response(request):
    """503 with Retry-After: JSON for the API, the plain 503 page otherwise.

    Rendered without the request's context processors, which would query the database
    (the signed-in user, the menu) and fail again.
    """
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string

    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_DOWN_MESSAGE}, status=503)
    else:
        html = render_to_string("503.html", {"message": DATABASE_DOWN_MESSAGE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 (page or API JSON), never a 500.

    Services run in transactions, so whatever the request had written is rolled back by
    PostgreSQL when the connection is lost: nothing half-done is left. Errors raised in
    other middleware (a session read, say) reach `views.server_error`, which answers the
    same 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        import logging

        logging.getLogger("rastrack.database").error(
            "Database unavailable during %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)


class RejectNulMiddleware:
    """A NUL character anywhere in the path or the query string is a 400, for pages and the
    API alike.

    PostgreSQL refuses NUL in text, so a NUL that reached a lookup or a filter (an `{id}` or
    `{code}` in the URL, `?search=`, `?status=`) would be a 500 there, while SQLite would
    quietly match nothing. Request bodies are the serializers' job: DRF's CharField refuses
    NUL already. Runs first, before anything reads the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            from django.http import JsonResponse

            return JsonResponse({"detail": "The address contains a NUL character."}, status=400)
        return self.get_response(request)


class EdgeInputMiddleware:
    """Integers beyond 64 bits and dates outside the supported years, in the query string or
    a form's fields, are a 400 (per field) at the edge, for pages and the API alike, before
    any lookup or date arithmetic (`rastrack.core.edges`). JSON bodies: the API's parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from rastrack.core.edges import edge_errors

        errors = edge_errors(request.GET.lists())
        if not errors and request.method == "POST" and (
            request.content_type == "application/x-www-form-urlencoded"
            # Uploads are read here only when small: a huge one is refused by size first.
            or (request.content_type == "multipart/form-data"
                and int(request.META.get("CONTENT_LENGTH") or 0) <= 1_000_000)
        ):
            errors = edge_errors(
                (key, values) for key, values in request.POST.lists()
                if "password" not in key and key != "csrfmiddlewaretoken"
            )
        if errors:
            from django.http import JsonResponse
            from django.shortcuts import render

            if request.path.startswith("/api/"):
                return JsonResponse(errors, status=400)
            message = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())
            return render(request, "core/error.html", {"title": "There is a problem", "message": message},
                          status=400)
        return self.get_response(request)
