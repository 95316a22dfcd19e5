"""django-filter, skipped when the request names none of the filters.

Building a FilterSet builds and validates a Django form of every filter (choice fields read
their choices, model choice fields their querysets) even when the request filters nothing,
which the big lists pay on every page. A request whose query string names no filter gets
the queryset as it is; any filter named (a valid or an invalid value) goes through
django-filter as before, 400 included. FilterSets that override `filter_queryset` or `qs`
(they may do more than filter) always go through it, unless they say that, asked for no
filter, they leave the queryset as it is (`unasked_leaves_queryset = True`).
"""

from __future__ import annotations

from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend


def _names_a_filter(params, names) -> bool:
    # Range and multi-widget filters take suffixed parameters (`date_after`, `date_min`).
    return any(param == name or param.startswith(f"{name}_") for param in params for name in names)


class FilterWhenAsked(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        plain = getattr(filterset_class, "unasked_leaves_queryset", False) or (
            filterset_class.filter_queryset is FilterSet.filter_queryset and filterset_class.qs is FilterSet.qs)
        if plain and not _names_a_filter(request.query_params.keys(), filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)
