"""FieldsBuiltOnce: each serializer gets fields of its own, the same as DRF builds them."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from accreditation.logbook.api import CaseSerializer, CaseStepSerializer, CaseWriteSerializer


class _PlainCase(CaseSerializer):
    """CaseSerializer with its fields built by DRF alone, for comparison."""

    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


# repr() of a related field shows its queryset, which reads the database.
pytestmark = pytest.mark.django_db


def test_the_fields_are_those_drf_builds():
    built_once = CaseSerializer().fields
    plain = _PlainCase().fields
    assert list(built_once) == list(CaseSerializer.Meta.fields)
    assert {name: repr(field) for name, field in built_once.items()} == {
        name: repr(field) for name, field in plain.items()}


def test_each_serializer_has_fields_of_its_own():
    first, second = CaseSerializer(), CaseSerializer()
    assert all(first.fields[name] is not second.fields[name] for name in first.fields)
    assert first.fields["site"].parent is first and second.fields["site"].parent is second
    first_step = first.fields["steps"].child.fields["step"]
    second_step = second.fields["steps"].child.fields["step"]
    assert first_step is not second_step
    first_step.known = {1: "a row"}  # a request's rows, set by to_internal_value, stay its own
    assert second_step.known is None and CaseStepSerializer().fields["step"].known is None


def test_the_write_serializer_takes_the_writable_fields_alone():
    writable = {name for name, field in CaseSerializer().fields.items() if not field.read_only}
    assert set(CaseWriteSerializer().fields) == writable
    assert {n: repr(f) for n, f in CaseWriteSerializer().fields.items()} == {
        n: repr(f) for n, f in CaseSerializer().fields.items() if n in writable}


def test_the_validators_are_those_drf_finds_once_per_class():
    from accreditation.logbook.models import Case

    class _PlainValidators(CaseSerializer):
        def get_validators(self):
            return serializers.ModelSerializer.get_validators(self)

    assert repr(CaseSerializer().get_validators()) == repr(_PlainValidators().get_validators())

    class _Dated(CaseSerializer):  # a class whose model rules DRF turns into validators
        class Meta(CaseSerializer.Meta):
            validators = [serializers.UniqueTogetherValidator(queryset=Case.objects.all(),
                                                             fields=["trainee", "date"])]

    first, second = _Dated().get_validators(), _Dated().get_validators()
    assert len(first) == 1 and first == second and first is not second  # each serializer's own list
    first.append("a request's own")
    assert len(_Dated().get_validators()) == 1
