from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import KeptOnRecordMixin
from core.admin_tools import category_column, region_column

from .models import Event, EventLot, Lot, Party, Product
from .services import LOT_FACTS, lot_is_named


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["uscc", "name", "kind", "region_display", "gln"]
    region_display = region_column()
    list_filter = ["kind"]
    search_fields = ["uscc", "name", "address", "gln", "region"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "brand", "model", "category_display", "gtin", "producer"]
    category_display = category_column()
    list_filter = ["category"]
    list_select_related = ["producer"]
    search_fields = ["name", "brand", "model", "gtin", "producer__name", "producer__uscc"]
    autocomplete_fields = ["producer"]


@admin.register(Lot)
class LotAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    """A lot named by an event or a recall keeps its product, quantity and unit here;
    they change only by `POST lots/{id}/correct/` with a reason."""

    list_display = ["lot_code", "product", "produced_on", "quantity", "unit"]
    list_select_related = ["product"]
    search_fields = ["lot_code", "product__name", "product__gtin", "product__producer__uscc"]
    autocomplete_fields = ["product"]
    date_hierarchy = "produced_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and lot_is_named(obj):
            return LOT_FACTS
        return ()


class EventLotInline(admin.TabularInline):
    model = EventLot
    extra = 0
    can_delete = False
    fields = readonly_fields = ["lot", "role", "quantity"]


@admin.register(Event)
class EventAdmin(KeptOnRecordMixin, admin.ModelAdmin):
    """Read-only: events are recorded through the API (with their provenance) and a wrong
    one is retracted there, never edited or deleted."""

    list_display = [
        "event_id",
        "kind",
        "occurred_at",
        "party",
        "source",
        "destination",
        "recorded_by",
        "recorded_by_regulator",
        "withdrawn_at",
    ]
    list_filter = ["kind", "recorded_by_regulator", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["party", "source", "destination", "recorded_by"]
    search_fields = ["event_id", "party__name", "party__uscc", "lines__lot__lot_code"]
    date_hierarchy = "occurred_at"
    inlines = [EventLotInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
