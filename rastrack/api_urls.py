"""Everything under /api/v1/. Each app's view sets are registered on the one router."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from rastrack.accounts import api as accounts_api
from rastrack.core import document_views
from rastrack.notifications import api as notifications_api
from rastrack.reference import api as reference_api

router = DefaultRouter()
router.register("regions", reference_api.RegionViewSet, basename="region")
router.register("sites", reference_api.SiteViewSet, basename="site")
router.register("procedures", reference_api.ProcedureViewSet, basename="procedure")
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("documents", document_views.EvidenceDocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's initialiser as a file: no inline script, so the
    # page works under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
