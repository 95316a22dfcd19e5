"""The API's JSON parser: DRF's, with the edges of `rastrack.core.edges` (depth, integer
size) checked before any view or serializer sees the body."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from rastrack.core.edges import json_edge_error


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # the decoder itself gave up on the nesting
            raise ParseError("JSON nested this deeply is refused.") from None
        message = json_edge_error(data)
        if message:
            raise ParseError(message)
        return data
