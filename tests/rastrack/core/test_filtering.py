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
