"""django-filter runs only when the request names a filter: a list without filters does not
build the FilterSet's form; a filter, valid or not, is applied (or refused with 400) as before."""

from unittest import mock

import pytest
from django_filters import FilterSet

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def test_a_list_without_filters_does_not_build_the_filterset(api, trainee):
    with mock.patch.object(FilterSet, "__init__", side_effect=AssertionError("built a FilterSet")):
        assert api.as_user(trainee).get(CASES).status_code == 200
        assert api.as_user(trainee).get(CASES, {"page": 1}).status_code == 200


def test_a_named_filter_still_filters_and_refuses_bad_values(api, trainee):
    client = api.as_user(trainee)
    assert client.get(CASES, {"status": "submitted"}).status_code == 200
    response = client.get(CASES, {"date_from": "not-a-date"})
    assert response.status_code == 400 and "date_from" in response.json()
    with mock.patch.object(FilterSet, "__init__", side_effect=AssertionError("built a FilterSet")):
        with pytest.raises(AssertionError):
            client.get(CASES, {"status": "submitted"})


def _api_filtersets():
    from django.urls import get_resolver

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "cls", None)
                if view is not None and getattr(view, "filterset_class", None) is not None:
                    yield view, view.filterset_class

    return {view: filterset for view, filterset in walk(get_resolver().url_patterns)}


def test_every_api_list_skips_django_filter_when_asked_for_none():
    """A FilterSet that overrides `filter_queryset` or `qs` would always be built; each one
    that does says it leaves the queryset alone when asked for nothing, or is listed here."""
    from django.conf import settings

    from rastrack.core.api.filtering import FilterWhenAsked

    assert settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] == ["rastrack.core.api.filtering.FilterWhenAsked"]
    found = _api_filtersets()
    assert len(found) > 10
    always_built = [f"{view.__name__}: {filterset.__name__}" for view, filterset in found.items()
                    if not getattr(filterset, "unasked_leaves_queryset", False)
                    and (filterset.filter_queryset is not FilterSet.filter_queryset or filterset.qs is not FilterSet.qs)]
    assert always_built == []
    overridden = [view.__name__ for view in found
                  if any(b is not FilterWhenAsked and not isinstance(b, str)
                         for b in (getattr(view, "filter_backends", None) or [FilterWhenAsked]))]
    assert overridden == []


def test_the_learning_resources_list_without_filters_does_not_build_the_filterset(api, trainee):
    with mock.patch.object(FilterSet, "__init__", side_effect=AssertionError("built a FilterSet")):
        assert api.as_user(trainee).get("/api/v1/resources/").status_code == 200
    assert api.as_user(trainee).get("/api/v1/resources/", {"topic": "nonsense"}).status_code == 400
