"""A GET answers 400 for a query parameter its OpenAPI entry does not document (DESIGN.md §4):
a misspelt filter never returns everything.

What an operation documents is read from the schema itself (drf-spectacular: the filterset's
filters, pagination, ordering and the view's own `extend_schema` parameters), so the schema
and what the API accepts cannot drift apart. Each operation's names are worked out once per
process, on its first request.
"""

import functools
import threading

from django.utils.translation import gettext_lazy as _
from drf_spectacular.settings import spectacular_settings
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

_known: dict[tuple, frozenset[str]] = {}
_lock = threading.RLock()


@functools.cache
def _generator():
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    generator._initialise_endpoints()
    return generator


def _documented(view_class, action, method):
    generator = _generator()
    names = set()
    for path, path_regex, endpoint_method, callback in generator.endpoints:
        if endpoint_method != method or getattr(callback, "cls", None) is not view_class:
            continue
        actions = getattr(callback, "actions", None)
        if actions is not None and actions.get(method.lower()) != action:
            continue
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        operation = view.schema.get_operation(path, path_regex, "^/", method, generator.registry)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] == "query":
                names.add(parameter["name"])
    return frozenset(names)


def documented_query_parameters(view, method):
    key = (type(view), getattr(view, "action", None), method)
    if key not in _known:
        with _lock:
            if key not in _known:
                _known[key] = _documented(*key)
    return _known[key]


def reject_unknown_query_parameters(view, request):
    method = "GET" if request.method == "HEAD" else request.method
    if method != "GET":
        return
    known = documented_query_parameters(view, method) | {api_settings.URL_FORMAT_OVERRIDE}
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise ValidationError(
            {name: [_("Unknown query parameter.")] for name in unknown}, code="unknown_parameter"
        )
