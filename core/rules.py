"""Access to LEVEE_RULES (DESIGN.md §8): defaults in settings, deep-merged with the
deployment's LEVEE_RULES_JSON."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _merge(base, override):
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _rules():
    return _merge(settings.LEVEE_RULES, getattr(settings, "LEVEE_RULES_OVERRIDE", {}))


def rule(path):
    """rule("sampling.deadlines.receive") -> (5, "working_days"). Every rule the code reads
    is in settings.LEVEE_RULES, so a missing one is a configuration error, not a default
    written a second time here."""
    node = _rules()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ImproperlyConfigured(f"LEVEE_RULES has no '{path}'.")
        node = node[part]
    return (
        tuple(node)
        if isinstance(node, list) and len(node) == 2 and isinstance(node[1], str)
        else node
    )


def clear_cache():
    _rules.cache_clear()
