"""Evidence documents over the web and the API: upload, list, metadata and download.

A document the caller may not see answers 404 exactly like one that does not exist: its
existence is part of someone else's record.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from rastrack.accounts.documents import document_upload, documents_visible_to, resolve_upload_owner
from rastrack.core.exceptions import ApplicationError
from rastrack.core.models import EvidenceDocument
from rastrack.core.permissions import ScopedViewSetMixin, get_visible_or_404
from rastrack.core.uploads import ALLOWED_TYPES, MAX_UPLOAD_BYTES

# Multipart boundaries and headers around one file; a body bigger than the file limit plus
# this is refused before it is parsed (and spooled to disk).
_MULTIPART_OVERHEAD = 64 * 1024


def document_file_response(document: EvidenceDocument) -> FileResponse:
    """The stored file, as a download, with the type we sniffed at upload (not the name's)."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    # Browsers must not second-guess the type (an "image" that is really HTML), and no
    # shared cache may keep someone's evidence.
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def download(request, pk: int):
    document = get_visible_or_404(documents_visible_to(request.user), pk)  # 404 when hidden
    return document_file_response(document)


# --- API -------------------------------------------------------------------------------------


class EvidenceDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceDocument
        fields = ["id", "owner", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    # Empty files pass here so that the one message about them comes from the validator.
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    owner = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The person whose record this is; yourself when omitted (others: admins only).",
    )


_FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment.")


class EvidenceDocumentViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Certificates and course documents: PDF, PNG or JPEG, at most 10 MB."""

    model = EvidenceDocument
    serializer_class = EvidenceDocumentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def visible_queryset(self, user):
        return documents_visible_to(user)

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the Accept header asks for (a client may
        # well ask for application/pdf); only its error answers are rendered as JSON.
        return super().perform_content_negotiation(
            request, force=force or getattr(self, "action", None) == "download"
        )

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceDocumentSerializer})
    def create(self, request, *args, **kwargs):
        content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        if content_length > MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD:
            raise ApplicationError(errors={"file": [
                f"The upload is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the limit for a file."
            ]})
        data = EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = resolve_upload_owner(
            uploader=request.user, owner_id=data.validated_data.get("owner")
        )
        document = document_upload(
            owner=owner, uploaded_by=request.user, file=data.validated_data["file"]
        )
        return Response(EvidenceDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="documents_download",
        responses={(200, media_type): _FILE_RESPONSE for media_type in ALLOWED_TYPES},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return document_file_response(self.get_object())
