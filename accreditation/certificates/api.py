"""Certificates API (`/api/v1/certificates/`) and the portfolio export.

- `GET /api/v1/certificates/` and `/{id}/`: `id`, `trainee`, `pathway`, `issued_on`, `status`
  (`valid`, `revoked`), `verification_code`, plus names, the verification URL and the
  revocation. Scoped (others: 404): the holder, trainers who may supervise them, the lead of
  their current region, programme admins; roles that never read them (lab managers): 403.
  Filters: `?trainee=`, `?pathway=`, `?status=`.
- `POST /api/v1/certificates/{id}/revoke/` `{"reason"}`: programme admins only (403 for other
  roles), 400 without a reason, 409 when already revoked; answers the whole certificate.
- `GET /api/v1/certificates/{id}/pdf/`: the PDF certificate.
- `GET /api/v1/portfolio/export/?trainee=<id>&as=csv|pdf`: a trainee's portfolio for annual
  review (default: yourself). The choice is `as`, not `format`: `?format=` is DRF's own
  renderer override (it also works here, as `?format=csv` / `?format=pdf`). 400 for another
  value; 404 for a trainee you may not see.

Files are answered as they are; every error is JSON whatever the Accept header asked for.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accreditation.certificates import credentials, fhir, policies, selectors, services
from accreditation.certificates.models import Certificate, CertificateStatus
from accreditation.certificates.pdf import certificate_pdf
from accreditation.certificates.portfolio_export import (
    build_portfolio,
    portfolio_csv,
    portfolio_pdf,
)
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.permissions import (
    ActionRolesMixin,
    RoleRequired,
    ScopedViewSetMixin,
    get_visible_or_404,
)

ADMIN, LEAD, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.TRAINER, Role.TRAINEE)
READERS = policies.READERS


# --- File answers ------------------------------------------------------------------------------


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file by Accept header or `?format=`; the view answers the
    bytes itself (an HttpResponse), so this renders nothing but a fallback."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data).encode()


class PDFRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class _JSONErrors:
    """Errors of a file endpoint are JSON, even when the client asked for the file type."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None),
                                                         _FileRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def _file(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Certificates ------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    pathway_title = serializers.CharField(source="pathway.title", read_only=True)
    verification_url = serializers.SerializerMethodField(
        help_text="The public page that shows holder, pathway, issue date and status; no sign-in.")
    revoked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "trainee", "trainee_name", "pathway", "pathway_title", "enrolment", "signoff_request",
                  "issued_on", "status", "verification_code", "verification_url", "revoked_on", "revoked_by",
                  "revoked_by_name", "revocation_reason", "created_at"]
        read_only_fields = fields

    def get_verification_url(self, obj) -> str:
        return services.verification_url(obj)

    def get_revoked_by_name(self, obj) -> str | None:
        return obj.revoked_by.full_name if obj.revoked_by_id else None


class CredentialSerializer(serializers.Serializer):
    credential = serializers.CharField(help_text="The OpenBadgeCredential as a compact JWS (VC-JWT, EdDSA).")
    payload = serializers.DictField(help_text="The credential the JWS carries (W3C VC data model 2.0).")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_TEXT,
                                   help_text="Why the certificate is revoked: the holder is told. "
                                             "No patient-identifiable data.")


class CertificateFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CertificateStatus.choices)

    class Meta:
        model = Certificate
        fields = ["trainee", "pathway", "status"]


class CertificateViewSet(_JSONErrors, ActionRolesMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Certificates: one per completed enrolment, issued when its final sign-off is approved.

    Readers: the holder, trainers who may supervise them today, the regional lead of the
    holder's current region, programme admins (others: 404; lab managers: 403). A programme
    admin revokes with a reason (`revoke`); reversing the final sign-off revokes it too. The
    public check is the web page at `verification_url` (no sign-in).
    """

    model = Certificate
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    action_roles = {"list": READERS, "retrieve": READERS, "pdf": READERS, "credential": READERS,
                    "revoke": (ADMIN,)}

    def visible_queryset(self, user):
        return selectors.certificates_visible_to(user)

    @extend_schema(request=RevokeSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke (programme admins; reason required). Already revoked: 409."""
        certificate = self.get_object()
        body = self.validated(RevokeSerializer)
        services.certificate_revoke(certificate=certificate, actor=request.user,
                                    reason=body["reason"])
        fresh = self.visible_queryset(request.user).get(pk=certificate.pk)
        return Response(CertificateSerializer(fresh).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY,
                                                                         description="The PDF certificate.")})
    @action(detail=True, methods=["get"], filterset_class=None, renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        """The certificate as a PDF: holder, pathway, issue date, verification URL and its QR code."""
        certificate = self.get_object()
        return _file(certificate_pdf(certificate), content_type="application/pdf",
                     filename=f"certificate-{certificate.verification_code}.pdf")


    @extend_schema(responses=CredentialSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def credential(self, request, pk=None):
        """The certificate as an Open Badges 3.0 OpenBadgeCredential: the signed VC-JWT (EdDSA,
        the issuer's key at /.well-known/did.json) and its decoded payload. A revoked
        certificate's credential verifies as revoked (its status list bit is set)."""
        token, payload = credentials.credential_issue(self.get_object())
        return Response({"credential": token, "payload": payload})


# --- FHIR ---------------------------------------------------------------------------------------------


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class PractitionerView(APIView):
    """`GET /api/v1/fhir/Practitioner/<user id>/`: the person as a FHIR R4 Practitioner, with
    their registration number and a `qualification` per accreditation and certificate (status
    in an extension, period, issuer). For those who may see that person's records (themselves,
    trainers who may supervise them, their regional lead, programme admins); others 404.
    Served as `application/json` or `application/fhir+json`, as the Accept header asks."""

    renderer_classes = [JSONRenderer, FHIRJSONRenderer]

    @extend_schema(operation_id="fhir_practitioner_retrieve",
                   responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR R4 Practitioner resource.")})
    def get(self, request, pk: int):
        person = get_visible_or_404(trainees_visible_to(request.user), pk)
        return Response(fhir.practitioner(person))


# --- Portfolio export ----------------------------------------------------------------------------

EXPORT_KINDS = ("csv", "pdf")


class PortfolioExportView(_JSONErrors, APIView):
    """A trainee's portfolio for annual review (ARCP) and appraisal: logbook totals (validated
    cases by role, platform and procedure, console hours), assessments (blinded ones left out),
    decided sign-offs, progress per pathway and certificates, as CSV or PDF.

    Who may download: the trainee, trainers who may supervise them, their regional lead,
    programme admins (others: 404; lab managers: 403).
    """

    permission_classes = [permissions.IsAuthenticated, RoleRequired(*READERS)]
    renderer_classes = [JSONRenderer, CSVRenderer, PDFRenderer]

    @extend_schema(
        operation_id="portfolio_export",
        parameters=[
            OpenApiParameter("trainee", int, required=False, description="The trainee's user id; default: yourself."),
            OpenApiParameter("as", str, required=False, enum=list(EXPORT_KINDS),
                             description="csv (default) or pdf. (`format` is DRF's renderer switch: use `as`.)"),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Columns: section, item, status, "
                                                                             "value, date, detail."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request):
        params = request.query_params
        kind = (params.get("as") or params.get("format") or "csv").lower()
        if kind not in EXPORT_KINDS:
            return Response({"as": ["Choose csv or pdf."]}, status=400)
        trainee_id = params.get("trainee")
        trainee = request.user if trainee_id in (None, "") else get_visible_or_404(
            trainees_visible_to(request.user), trainee_id)
        portfolio = build_portfolio(viewer=request.user, trainee=trainee)
        if kind == "pdf":
            return _file(portfolio_pdf(portfolio), content_type="application/pdf",
                         filename=portfolio.filename("pdf"))
        return _file(portfolio_csv(portfolio), content_type="text/csv; charset=utf-8",
                     filename=portfolio.filename("csv"))
