"""The error pages (404, 403, 500 and a refused service call), shared by every app."""

from django.http import JsonResponse
from django.shortcuts import render


def _api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _api(request):  # a client of the API reads JSON, whatever the address
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "core/error.html", {"title": "Page not found",
                  "message": "If you typed the web address, check it is correct."}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"title": "You cannot do this",
                  "message": "Your account does not allow this action."}, status=403)


def server_error(request):
    import sys

    from rastrack.core.middleware import database_unavailable_response, is_database_unavailable

    if is_database_unavailable(sys.exc_info()[1]):  # raised in a middleware, not a view
        return database_unavailable_response(request)
    if _api(request):
        return JsonResponse({"detail": "Sorry, there is a problem with the service. Try again later."},
                            status=500)
    return render(request, "core/error.html", {"title": "Sorry, there is a problem with the service",
                  "message": "Try again later."}, status=500)


def refused(request, exception):
    title = "This cannot be done now" if exception.status_code == 409 else "There is a problem"
    message = exception.message or "; ".join(m for ms in exception.errors.values() for m in ms)
    return render(request, "core/error.html", {"title": title, "message": message},
                  status=exception.status_code)
