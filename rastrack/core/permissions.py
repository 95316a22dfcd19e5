"""The one way every app scopes what a caller may see and checks what they may do.

The API's status rules (the same for the pages), in three layers:

1. **Endpoint (403)**: a role that may never use an endpoint or action is refused with
   `RoleRequired(...)` (a DRF permission class) or `require_role(user, ...)`.
2. **Visibility (404)**: a view set's `get_queryset()` returns a selector named
   `<things>_visible_to(user)`. DRF's `get_object()` looks the id up in that queryset, so a
   record outside the caller's scope answers 404, exactly like a record that does not
   exist. Services that take an id use `get_visible_or_404(queryset, pk)` the same way.
3. **Action (403)**: the caller may see the object but not act on it. Policies are plain
   functions `can_<verb>(user, obj) -> bool` next to the services; views call
   `require(can_x(user, obj), "message")` and services raise `NotPermitted` themselves, so
   the rule holds for the web pages, the API, admin and tasks alike.

Example::

    class CaseViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
        model = Case

        def visible_queryset(self, user):
            return cases_visible_to(user)

        @action(detail=True, methods=["post"])
        def validate(self, request, pk=None):
            case = self.get_object()                                  # 404 outside scope
            require(can_validate(request.user, case), "Not the validator.")  # 403
            ...

Per-object rights (django-guardian) live on the trainee's `Portfolio`; because guardian
rows do not expire by themselves, policies re-check the eligibility rule on every request.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from rest_framework.permissions import BasePermission

from rastrack.core.exceptions import NotFound, NotPermitted


def signed_in(user) -> bool:
    """An authenticated, active account: anyone else may read and do nothing."""
    return bool(user and user.is_authenticated and user.is_active)


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise NotPermitted(message)


def refuse_unless(refusal: str | None) -> None:
    """Raise the 403 a policy's `refusal_to_<verb>` gave; nothing when it gave none."""
    if refusal:
        raise NotPermitted(refusal)


def require_role(user, *roles: str) -> None:
    if not (user.is_authenticated and user.has_role(*roles)):
        raise NotPermitted("Your role does not allow this.")


def get_visible_or_404(queryset: QuerySet, pk) -> Model:
    """The object with this id among those the caller may see; 404 whether hidden or absent."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound("Not found.") from None


def RoleRequired(*roles: str) -> type[BasePermission]:  # noqa: N802 - reads like a class
    """A DRF permission class: only callers holding one of `roles` may use the endpoint."""

    class _RoleRequired(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_role(*roles))

    _RoleRequired.__name__ = f"RoleRequired_{'_'.join(roles)}"
    return _RoleRequired


# An action open to every signed-in account, whatever its roles.
SIGNED_IN: tuple[str, ...] = ()


class NotListed(BasePermission):
    """The action is in no view set's `action_roles`: nobody may use it."""

    message = "No role may use this action."

    def has_permission(self, request, view) -> bool:
        return False


class ActionRolesMixin:
    """Who may use each action of a view set (403 for everyone else):
    `action_roles = {"list": SIGNED_IN, "approve": (TRAINER,), ...}`.

    Every action must be listed. One that is not is refused to everyone, so an action added
    later stays closed until someone says who may use it. A method the view set does not
    serve still answers 405, and OPTIONS (the endpoint's own description) needs sign-in only.
    """

    action_roles: dict[str, tuple[str, ...]] = {}

    def get_permissions(self):
        from rest_framework.permissions import IsAuthenticated

        action = getattr(self, "action", None)
        method = getattr(getattr(self, "request", None), "method", "") or ""
        if action in (None, "metadata") or method.lower() not in self.http_method_names:
            return [IsAuthenticated()]
        if action not in self.action_roles:
            return [IsAuthenticated(), NotListed()]
        roles = self.action_roles[action]
        return [IsAuthenticated(), *([RoleRequired(*roles)()] if roles else [])]


class ScopedViewSetMixin:
    """Scope a view set to the caller: set `model` and override `visible_queryset(user)`."""

    model: type[Model]

    def visible_queryset(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model.objects.none()
        return self.visible_queryset(self.request.user)

    # The one shape of a write through the API: check the body, call the service, answer with
    # the resource as the caller now sees it (read again through their scope, so annotations
    # and blinding are the list's and the detail's).

    def validated(self, serializer_class, **kwargs) -> dict:
        """The request body checked by `serializer_class` (400 per field)."""
        body = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def answer(self, obj, code: int = 200, serializer_class=None):
        """`obj` read again through the caller's scope and serialised, with status `code`."""
        from rest_framework.response import Response

        fresh = self.visible_queryset(self.request.user).get(pk=obj.pk)
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, status=code)
