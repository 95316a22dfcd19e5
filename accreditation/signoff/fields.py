"""Fields the sign-off API modules share."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

SCORES_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "description": "Domain code -> whole-number score within the tool's scale. GEARS: depth_perception, "
                   "bimanual_dexterity, efficiency, force_sensitivity, autonomy, robotic_control, each 1-5.",
    "example": {"depth_perception": 3, "bimanual_dexterity": 3, "efficiency": 2, "force_sensitivity": 3,
                "autonomy": 2, "robotic_control": 3},
}


@extend_schema_field(SCORES_SCHEMA)
class ScoresField(serializers.JSONField):
    """Any JSON in, so that the service can say what is wrong per domain."""
