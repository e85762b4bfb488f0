"""Role and jurisdiction scoping: one mechanism for every queryset (DESIGN.md §3).

A model declares, in `scope`, the field paths that tie one of its rows to a user's links;
`Model.objects.restrict(user, action)` turns them into a filter. Rows outside a user's
scope are invisible to them (the API answers 404), never merely read-only.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from .choices import Role
from .regions import region_q


@dataclass(frozen=True)
class Scope:
    region: tuple[str, ...] = ()  # paths to a 6-digit region code (regulator, inspector)
    party: tuple[str, ...] = ()  # paths to a party's USCC (enterprise)
    lab: tuple[str, ...] = ()  # paths to a core.Lab (lab)
    site: tuple[str, ...] = ()  # paths to a core.SentinelSite (sentinel)
    # Roles besides admin that may see rows at all; None: every role with a path above.
    roles: frozenset[str] | None = None
    # extra(user) -> Q or None: rows a rule beyond the paths above opens to the user (OR-ed).
    extra: Callable | None = None
    # False when every path is a forward relation, so OR-ing them never repeats a row.
    fans_out: bool = True

    def q_for(self, user, action="view"):
        """The filter for `user`, or None when they see nothing."""
        q = self._paths_q(user)
        if q == Q() or self.extra is None or not getattr(user, "is_authenticated", False):
            return q
        more = self.extra(user)
        if more is None:
            return q
        return more if q is None else q | more

    def _paths_q(self, user):
        role = getattr(user, "role", None)
        if not getattr(user, "is_authenticated", False) or not role:
            return None
        if role == Role.ADMIN:
            return Q()
        if self.roles is not None and role not in self.roles:
            return None
        if role in (Role.REGULATOR, Role.INSPECTOR):
            paths, value = self.region, user.region
            if not (paths and value):
                return None
            return _any(region_q(path, value) for path in paths)
        links = {
            Role.ENTERPRISE: (self.party, user.party_uscc),
            Role.LAB: (self.lab, user.lab_id),
            Role.SENTINEL: (self.site, user.site_id),
        }
        paths, value = links.get(role, ((), None))
        if not (paths and value):
            return None
        return _any(Q(**{path: value}) for path in paths)


def _any(qs):
    combined = Q()
    for q in qs:
        if not q:
            return Q()
        combined |= q
    return combined


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        q = self.model.scope.q_for(user, action)
        if q is None:
            return self.none()
        qs = self.filter(q)
        # OR across joined paths may repeat rows.
        return qs.distinct() if len(q) > 1 and self.model.scope.fans_out else qs
