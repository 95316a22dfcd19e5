"""Serializer helpers shared by the API modules."""

from __future__ import annotations

import copy

from rest_framework.serializers import BaseSerializer


class FieldsBuiltOnce:
    """For a ModelSerializer: its fields are worked out from the model once per class, and
    each new serializer makes its own from them. Working them out again (introspecting the
    model) and DRF's deep copy of every field's arguments each cost more, on the busiest
    write, than the rest of its validation. A plain field is a shallow copy of its prototype:
    binding it to the new serializer sets its name, parent, label and source on the copy
    alone, and what the copies share (the validators, the choices, the error messages) is
    never written after the field is made (a queryset is cloned before each use). A field
    that holds another (a list's child, a many-related field's relation) is made anew from
    the arguments it was made with, since the child is bound to its parent; a nested
    serializer is deep-copied, as DRF does.
    Only for serializers whose fields depend on nothing but the class: not on the context,
    the instance or the request."""

    _field_prototypes: dict | None = None
    _validator_prototypes: list | None = None

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return {name: _fresh(field) for name, field in prototypes.items()}

    def get_validators(self):
        # The model's unique-together and unique-for-date rules, found by introspecting it
        # (and the fields) on every serializer: once per class too. DRF's validators keep
        # no state between calls (those that need the serializer are given it per call).
        cls = type(self)
        validators = cls.__dict__.get("_validator_prototypes")
        if validators is None:
            validators = cls._validator_prototypes = list(super().get_validators())
        return list(validators)


def _fresh(field):
    if isinstance(field, BaseSerializer):
        return copy.deepcopy(field)
    if hasattr(field, "child") or hasattr(field, "child_relation"):
        return field.__class__(*field._args, **field._kwargs)
    return copy.copy(field)
