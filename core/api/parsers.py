"""The JSON parser every endpoint uses: DRF's, with a nesting limit (DESIGN.md §4).

Python's decoder recurses once per level, so a body nested thousands deep exhausts the
stack (a RecursionError, which was a 500). Levee's bodies are a few levels deep: anything
nested deeper than MAX_DEPTH is a 400.
"""

import io

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64
_CONTAINERS = (dict, list)  # a tuple, not `dict | list`: that builds a union on every test
TOO_DEEP = _("JSON parse error - nested deeper than %(depth)d levels.")


def nested_deeper_than(value, limit=MAX_DEPTH):
    """True when `value` (decoded JSON) has containers nested deeper than `limit`; without
    recursion, so it cannot itself run out of stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if type(item) is dict else item
        for child in children:
            if isinstance(child, _CONTAINERS):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH}) from exc
        # Fewer brackets than the limit cannot nest deeper than it: skip the walk.
        deep_enough = body.count(b"[") + body.count(b"{") > MAX_DEPTH
        if deep_enough and isinstance(data, _CONTAINERS) and nested_deeper_than(data):
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH})
        return data
