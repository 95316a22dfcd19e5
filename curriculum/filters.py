"""Filters shared by the API and the web pages."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from curriculum.models import (
    Component,
    ELearningCompletion,
    Enrolment,
    LearningResource,
    Requirement,
    ResourceAudience,
    ResourceFormat,
    ResourceStatus,
    Topic,
)


class LearningResourceFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label="Search",
                                help_text="Words in the title, description or provider.")
    status = filters.ChoiceFilter(choices=ResourceStatus.choices)
    format = filters.ChoiceFilter(choices=ResourceFormat.choices)
    audience = filters.ChoiceFilter(choices=ResourceAudience.choices)
    topic = filters.ChoiceFilter(choices=Topic.choices, field_name="topics__topic")
    module = filters.NumberFilter(field_name="modules__id")
    competency = filters.NumberFilter(field_name="competencies__id")
    competency_key = filters.CharFilter(field_name="competencies__key",
                                        help_text="A competency's stable key (any framework version).")

    class Meta:
        model = LearningResource
        fields = ["search", "status", "format", "audience", "topic", "module", "competency", "competency_key"]

    # Asked for no filter, nothing is joined and nothing made distinct (FilterWhenAsked).
    unasked_leaves_queryset = True

    def filter_queryset(self, queryset):
        # Joins through topics, modules or competencies can repeat a row.
        queryset = super().filter_queryset(queryset)
        joined = any(self.form.cleaned_data.get(name) for name in ("topic", "module", "competency", "competency_key"))
        return queryset.distinct() if joined else queryset

    def filter_search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(provider__icontains=word))
        return queryset


class ComponentFilter(filters.FilterSet):
    pathway = filters.NumberFilter(field_name="module__pathway_id")

    class Meta:
        model = Component
        fields = ["module", "kind", "pathway"]


class EnrolmentFilter(filters.FilterSet):
    class Meta:
        model = Enrolment
        fields = ["status", "pathway", "trainee"]


class ELearningCompletionFilter(filters.FilterSet):
    class Meta:
        model = ELearningCompletion
        fields = ["trainee", "component", "provenance"]


class RequirementFilter(filters.FilterSet):
    pathway = filters.NumberFilter(field_name="component__module__pathway_id")

    class Meta:
        model = Requirement
        fields = ["component", "type", "pathway"]
