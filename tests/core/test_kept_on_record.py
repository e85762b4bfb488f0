"""Nothing of the record is hard-deleted through the Django admin (DESIGN.md §5.2): for
every such model, the admin offers no delete view and no bulk delete action, to
superusers too."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.models import Alert, AlertDelivery, AlertSubscription, StateHistory
from injury.models import Accident, InjuryReport
from recalls.models import Recall
from sampling.models import Sample
from traceability.models import Event, Lot

KEPT = [Event, Lot, Sample, Recall, InjuryReport, Accident, Alert, AlertDelivery]
KEPT += [AlertSubscription, StateHistory]


@pytest.mark.django_db
@pytest.mark.parametrize("model", KEPT, ids=lambda m: m._meta.label)
def test_the_admin_offers_no_delete(admin_user, model):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        assert not (inline.can_delete and inline.has_delete_permission(request)), inline
