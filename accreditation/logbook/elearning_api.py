"""Verifying an e-learning completion over the API: `POST /api/v1/elearning-completions/<id>/verify/`.

The completions themselves are the curriculum's (`curriculum.api`); verifying one needs the
assignments, so the action lives here, on the same address, and calls the one verify rule
(`accreditation.logbook.verification`) the simulator sessions use.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from accreditation.logbook import verification
from curriculum.models import ELearningCompletion
from curriculum.selectors import elearning_completions_visible_to
from curriculum.serializers import ELearningCompletionSerializer
from rastrack.core.permissions import ScopedViewSetMixin


class ELearningVerificationViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    model = ELearningCompletion
    serializer_class = ELearningCompletionSerializer

    def visible_queryset(self, user):
        return elearning_completions_visible_to(user)

    @extend_schema(request=None, responses=ELearningCompletionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """An assigned trainer verifies a self-reported completion (not their own: 403; already
        verified: 409). Audited; the verified completion is frozen."""
        completion = verification.elearning_completion_verify(completion=self.get_object(), actor=request.user)
        return self.answer(completion)
