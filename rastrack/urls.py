from django.contrib import admin
from django.urls import include, path

from accreditation.certificates import views as certificate_views
from rastrack import views
from rastrack.accounts import document_views
from rastrack.accounts.urls import auth_urlpatterns
from rastrack.core import health

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("documents/<int:pk>/", document_views.download, name="document-download"),
    *auth_urlpatterns,
    # Single sign-on (OpenID Connect): /oidc/authenticate/ and /oidc/callback/; 404 when off.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("accounts/", include("rastrack.accounts.urls")),
    path("reference/", include("rastrack.reference.urls")),
    path("notifications/", include("rastrack.notifications.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("labs/", include("labs.urls")),
    path("dashboards/", include("dashboards.urls")),
    # The public certificate check: no sign-in (the MFA middleware exempts /verify/).
    path("verify/", certificate_views.verify_lookup, name="certificate-verify-lookup"),
    # The public check of a portable credential (Open Badges 3.0): before /verify/<code>/.
    path("verify/credential/", certificate_views.verify_credential, name="credential-verify"),
    path("verify/<path:code>/", certificate_views.verify, name="certificate-verify"),
    # What a verifier fetches: the issuer's keys (did:web) and the revocation lists.
    path(".well-known/did.json", certificate_views.did_document, name="did-document"),
    path("credentials/status/<int:number>/", certificate_views.status_list, name="credential-status-list"),
    # The API before the pages' unprefixed include: every API request (a case logged from a
    # phone is the busiest) would otherwise be tried against each of those patterns first.
    path("api/v1/", include("rastrack.api_urls")),
    path("", include("accreditation.urls")),
]

handler404 = "rastrack.core.views.not_found"
handler403 = "rastrack.core.views.forbidden"
handler500 = "rastrack.core.views.server_error"
