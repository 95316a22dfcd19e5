"""Blinded video reviews over the API: opening, raters, ratings, and what each person may see
(`selectors.video_review_seen_by`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accreditation.signoff import selectors, video_reviews
from accreditation.signoff.fields import ScoresField
from accreditation.signoff.models import (
    VideoReview,
    VideoReviewRating,
    VideoReviewStatus,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import (
    ActionRolesMixin,
    ScopedViewSetMixin,
)

ADMIN, LEAD, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.TRAINER, Role.TRAINEE)
READERS = (ADMIN, LEAD, TRAINER, TRAINEE)

class ReviewRatingSerializer(serializers.Serializer):
    rater = serializers.IntegerField(allow_null=True, help_text="Null for the trainee: raters stay unnamed.")
    rater_name = serializers.CharField()
    rated = serializers.BooleanField(allow_null=True)
    scores = ScoresField(allow_null=True, help_text="Null until the review closes (a rater sees their own).")
    total = serializers.IntegerField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    method = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null when the ratings have no variance.")


class ReviewResultSerializer(serializers.Serializer):
    mean_total = serializers.DecimalField(max_digits=6, decimal_places=2)
    totals = serializers.ListField(child=serializers.IntegerField(), help_text="Each rater's total.")
    agreement = AgreementSerializer()


class VideoReviewSerializer(serializers.Serializer):
    """A review as the caller may see it (`selectors.video_review_seen_by`)."""

    id = serializers.IntegerField(source="review.pk")
    trainee = serializers.SerializerMethodField(help_text="Null for a rater: the review is blind.")
    trainee_name = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField(help_text="Null for a rater.")
    procedure = serializers.IntegerField(source="review.case.procedure_id")
    procedure_name = serializers.CharField(source="review.case.procedure.name")
    tool = serializers.CharField(source="review.tool.code")
    tool_name = serializers.CharField(source="review.tool.name")
    video_reference = serializers.CharField(source="review.video_reference")
    status = serializers.ChoiceField(source="review.status", choices=VideoReviewStatus.choices)
    due_on = serializers.DateField(source="review.due_on")
    overdue = serializers.BooleanField(source="review.is_overdue")
    created_at = serializers.DateTimeField(source="review.created_at")
    closed_at = serializers.DateTimeField(source="review.closed_at", allow_null=True)
    is_rater = serializers.BooleanField(help_text="You are one of the raters.")
    raters = serializers.SerializerMethodField(help_text="The raters' user ids you may know of.")
    ratings = ReviewRatingSerializer(many=True)
    result = ReviewResultSerializer(allow_null=True, help_text="Once closed: the mean total and the agreement.")

    def get_trainee(self, seen) -> int | None:
        return seen.trainee.pk if seen.trainee is not None else None

    def get_trainee_name(self, seen) -> str | None:
        return seen.trainee.full_name if seen.trainee is not None else None

    def get_case(self, seen) -> int | None:
        return None if seen.is_rater else seen.review.case_id

    def get_raters(self, seen) -> list[int]:
        return [r.rater for r in seen.ratings if r.rater is not None]


class VideoReviewCreateSerializer(serializers.Serializer):
    trainee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    case = serializers.IntegerField(help_text="One of the trainee's submitted or validated cases.")
    tool = serializers.SlugField(max_length=20, help_text="The tool's code, e.g. gears.")
    video_reference = serializers.CharField(max_length=200, help_text="Where the video is held: an opaque "
                                                                      "reference, no patient data.")
    raters = serializers.ListField(child=serializers.IntegerField(), max_length=20,
                                   help_text="At least two accredited trainers not assigned to the trainee.")


class VideoReviewRateSerializer(serializers.Serializer):
    scores = ScoresField()


class VideoReviewAddRaterSerializer(serializers.Serializer):
    rater = serializers.IntegerField(help_text="A further accredited trainer not assigned to the trainee.")


class VideoReviewFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=VideoReviewStatus.choices)
    to_rate = filters.BooleanFilter(method="filter_to_rate", help_text="Open, and waiting for your rating.")

    class Meta:
        model = VideoReview
        fields = ["status", "to_rate"]

    def filter_to_rate(self, queryset, name, value):
        user = self.request.user
        mine = Exists(VideoReviewRating.objects.filter(review_id=OuterRef("pk"), rater_id=user.pk,
                                                       rated_at__isnull=True))
        return queryset.filter(mine, status=VideoReviewStatus.OPEN) if value else queryset.exclude(
            mine, status=VideoReviewStatus.OPEN)


class VideoReviewViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Blinded multi-rater reviews of a case video with one tool.

    Opened by a programme admin or the trainee's regional lead with at least two raters who are
    accredited trainers not assigned to the trainee (400 otherwise). A rater sees the video
    reference and the procedure, never the trainee or the other ratings; nothing of a rating
    reaches the trainee until the review closes, when the last rater has rated: then `result`
    gives each total, the mean and the agreement (Krippendorff's alpha, interval).
    """

    model = VideoReview
    filterset_class = VideoReviewFilter
    serializer_class = VideoReviewSerializer
    action_roles = {"list": READERS, "retrieve": READERS, "create": (ADMIN, LEAD), "rate": (TRAINER,),
                    "add_rater": (ADMIN, LEAD)}

    def visible_queryset(self, user):
        return selectors.video_reviews_visible_to(user)

    def _data(self, review_or_page, many=False):
        user = self.request.user
        if many:
            return VideoReviewSerializer([selectors.video_review_seen_by(user, r) for r in review_or_page],
                                         many=True).data
        return VideoReviewSerializer(selectors.video_review_seen_by(user, review_or_page)).data

    def _fresh(self, review, code=200):
        return Response(self._data(self.visible_queryset(self.request.user).get(pk=review.pk)), status=code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object()))

    @extend_schema(request=VideoReviewCreateSerializer, responses={201: VideoReviewSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(VideoReviewCreateSerializer)
        review = video_reviews.video_review_open(actor=request.user, trainee=data["trainee"], case=data["case"],
                                            tool=data["tool"], video_reference=data["video_reference"],
                                            raters=data["raters"])
        return self._fresh(review, status.HTTP_201_CREATED)

    @extend_schema(request=VideoReviewRateSerializer, responses=VideoReviewSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def rate(self, request, pk=None):
        """A named rater's scores, once (409 twice or once closed; 403 for anyone else)."""
        review = self.get_object()
        data = self.validated(VideoReviewRateSerializer)
        video_reviews.video_review_rate(actor=request.user, review=review, scores=data["scores"])
        return self._fresh(review)

    @extend_schema(request=VideoReviewAddRaterSerializer, responses=VideoReviewSerializer)
    @action(detail=True, methods=["post"], url_path="add-rater", url_name="add-rater", filterset_class=None)
    def add_rater(self, request, pk=None):
        """A further rater (e.g. agreement below what a requirement asks): the review opens again."""
        review = self.get_object()
        data = self.validated(VideoReviewAddRaterSerializer)
        video_reviews.video_review_add_rater(actor=request.user, review=review, rater=data["rater"])
        return self._fresh(review)
