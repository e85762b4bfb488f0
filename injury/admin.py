from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.admin import SentinelSiteAdmin as CoreSentinelSiteAdmin
from core.admin_tools import category_column, region_column
from core.models import SentinelSite

from . import services
from .models import Accident, AccidentCategory, InjuryReport

admin.site.unregister(SentinelSite)


@admin.register(SentinelSite)
class SentinelSiteAdmin(CoreSentinelSiteAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "region_display",
        "stratum",
        "weight",
        "active_from",
        "active_to",
    ]
    list_filter = ["kind", "stratum", "region"]
    region_display = region_column()

    def save_model(self, request, obj, form, change):
        services.site_validate(obj)
        super().save_model(request, obj, form, change)


@admin.register(InjuryReport)
class InjuryReportAdmin(ReadOnlyAdmin):
    """Read-only: a case is as the site filed it."""

    list_display = [
        "id",
        "occurred_at",
        "site",
        "category_display",
        "mechanism",
        "body_part",
        "severity",
        "age",
        "sex",
        "weight",
    ]
    list_filter = ["mechanism", "severity", "sex", "site__stratum"]
    category_display = category_column("product_category")
    search_fields = ["product_category", "site__code"]
    date_hierarchy = "occurred_at"
    list_select_related = ["site"]
    raw_id_fields = ["product"]


@admin.register(AccidentCategory)
class AccidentCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "deadline_amount",
        "deadline_unit",
        "casualty_deadline_amount",
        "casualty_deadline_unit",
        "full_report_amount",
        "full_report_unit",
        "active",
    ]
    list_filter = ["active"]


@admin.register(Accident)
class AccidentAdmin(ReadOnlyAdmin):
    """Accidents are filed and moved through the API (deadlines, alerts and history are
    computed there); the admin shows them."""

    list_display = [
        "accident_no",
        "category",
        "state",
        "region_display",
        "occurred_at",
        "reported_at",
        "late",
        "deaths",
        "injuries",
        "reporter",
    ]
    list_filter = ["state", "category", "late", "reporter"]
    region_display = region_column()
    search_fields = ["accident_no", "description"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["product", "lot"]
