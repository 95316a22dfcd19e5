"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with
OIDC on, served under /idp/ by a test-only URLconf (`urlpatterns` below: the provider, then
the whole product) on pytest-django's live server.

What the provider says about the person signing in is `CLAIMS` (the tests set it): the
identity provider's directory, as an NHS trust's would be. The protocol itself (authorization
code with PKCE, RS256-signed ID token, JWKS, userinfo, discovery) is django-oauth-toolkit's.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator

from rastrack.urls import handler403, handler404, handler500  # noqa: F401 - the product's error pages
from rastrack.urls import urlpatterns as product_urlpatterns

CLAIMS: dict = {}
# Served at /stale-jwks/: a key set the provider no longer signs with (for the forgery test).
STALE_JWKS: dict = {"keys": []}


def stale_jwks(request):
    return JsonResponse(STALE_JWKS)


class DirectoryValidator(OAuth2Validator):
    # Every claim in CLAIMS goes into the ID token and the userinfo answer, whatever the scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict(CLAIMS)


urlpatterns = [
    path("idp/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("stale-jwks/", stale_jwks),
    *product_urlpatterns,
]
