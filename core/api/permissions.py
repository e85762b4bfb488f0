from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.choices import Role

WRITE_ACTIONS = {"create", "update", "partial_update", "destroy"}


class RolePermission(BasePermission):
    """Role gate per view action. A view names who may read (`read_roles`), who may
    create/update/delete (`write_roles`) and who may run any other action
    (`action_roles`); admins pass everywhere. Which rows a user reaches is the queryset's
    business (core.scoping), so rows outside scope answer 404."""

    message = _("Your role may not do this.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(user, "is_levee_admin", False):
            return True
        roles = self.roles_for(view, request)
        return roles is None or user.role in roles

    @staticmethod
    def roles_for(view, request):
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            return action_roles[action]
        if request.method in SAFE_METHODS:
            return getattr(view, "read_roles", None)
        if action in WRITE_ACTIONS:
            return getattr(view, "write_roles", frozenset({Role.ADMIN}))
        return getattr(view, "transition_roles", None)
