"""Serializer helpers shared by the API modules."""

from __future__ import annotations

import copy

from rest_framework.serializers import BaseSerializer


class FieldsBuiltOnce:
    """For a ModelSerializer: its fields are worked out from the model once per class, and
    each new serializer makes its own from them. Working them out again (introspecting the
    model) and DRF's deep copy of every field's arguments each cost more, on the busiest
    write, than the rest of its validation. A plain field is made anew from the arguments it
    was made with, shared (DRF copies what it keeps: the validators, the choices; a
    queryset is cloned before each use); a nested serializer is deep-copied, as DRF does.
    Only for serializers whose fields depend on nothing but the class: not on the context,
    the instance or the request."""

    _field_prototypes: dict | None = None

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return {name: _fresh(field) for name, field in prototypes.items()}


def _fresh(field):
    if isinstance(field, BaseSerializer):
        return copy.deepcopy(field)
    return field.__class__(*field._args, **field._kwargs)
