from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Event, EventLot, Lot, Party, Product


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["uscc", "name", "kind", "region", "gln"]
    list_filter = ["kind"]
    search_fields = ["uscc", "name", "address", "gln", "region"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "brand", "model", "category", "gtin", "producer"]
    list_filter = ["category"]
    list_select_related = ["producer"]
    search_fields = ["name", "brand", "model", "gtin", "producer__name", "producer__uscc"]
    autocomplete_fields = ["producer"]


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ["lot_code", "product", "produced_on", "quantity", "unit"]
    list_select_related = ["product"]
    search_fields = ["lot_code", "product__name", "product__gtin", "product__producer__uscc"]
    autocomplete_fields = ["product"]
    date_hierarchy = "produced_on"


class EventLotInline(admin.TabularInline):
    model = EventLot
    extra = 0
    autocomplete_fields = ["lot"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "kind", "occurred_at", "party", "source", "destination"]
    list_filter = ["kind"]
    list_select_related = ["party", "source", "destination"]
    search_fields = ["event_id", "party__name", "party__uscc", "lines__lot__lot_code"]
    autocomplete_fields = ["party", "source", "destination"]
    readonly_fields = ["recorded_at", "recorded_by"]
    date_hierarchy = "occurred_at"
    inlines = [EventLotInline]
