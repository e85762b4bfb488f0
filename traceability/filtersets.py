import django_filters
from django.db.models import Q

from core.regions import region_q

from .choices import EventKind, PartyKind
from .models import Event, EventLot, Lot, Party, Product


def _contains_any(*paths):
    """A free-text filter: any of these fields contains the words given."""

    def search(queryset, name, value):
        query = Q()
        for path in paths:
            query |= Q(**{f"{path}__icontains": value})
        return queryset.filter(query)

    return search


def _within(path):
    """A region filter matching the region and everything inside it."""
    return lambda queryset, name, value: queryset.filter(region_q(path, value))


class PartyFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(method=_within("region"))
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices)
    uscc = django_filters.CharFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")
    q = django_filters.CharFilter(
        method=_contains_any("name", "uscc"), label="Name or USCC contains"
    )

    class Meta:
        model = Party
        fields = ["region", "kind", "uscc", "name", "q"]


class ProductFilterSet(django_filters.FilterSet):
    producer = django_filters.NumberFilter(field_name="producer_id")
    producer_uscc = django_filters.CharFilter(field_name="producer__uscc")
    region = django_filters.CharFilter(method=_within("producer__region"))
    category = django_filters.CharFilter()
    brand = django_filters.CharFilter(lookup_expr="iexact")
    model = django_filters.CharFilter(lookup_expr="iexact")
    gtin = django_filters.CharFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")
    q = django_filters.CharFilter(
        method=_contains_any("name", "brand", "model", "gtin"),
        label="Name, brand, model or GTIN contains",
    )

    class Meta:
        model = Product
        fields = ["producer", "producer_uscc", "region", "category", "brand", "model", "gtin"]


class LotFilterSet(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    producer = django_filters.NumberFilter(field_name="product__producer_id")
    region = django_filters.CharFilter(method=_within("product__producer__region"))
    category = django_filters.CharFilter(field_name="product__category")
    lot_code = django_filters.CharFilter()
    produced_after = django_filters.DateFilter(field_name="produced_on", lookup_expr="gte")
    produced_before = django_filters.DateFilter(field_name="produced_on", lookup_expr="lte")
    q = django_filters.CharFilter(
        method=_contains_any(
            "lot_code", "product__name", "product__brand", "product__model", "product__gtin"
        ),
        label="Lot code, or the product's name, brand, model or GTIN contains",
    )

    class Meta:
        model = Lot
        fields = ["product", "producer", "region", "category", "lot_code"]


class EventFilterSet(django_filters.FilterSet):
    event_id = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    party = django_filters.NumberFilter(field_name="party_id")
    source = django_filters.NumberFilter(field_name="source_id")
    destination = django_filters.NumberFilter(field_name="destination_id")
    lot = django_filters.NumberFilter(method="with_lot")
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["event_id", "kind", "party", "source", "destination", "lot"]

    def with_lot(self, queryset, name, value):
        return queryset.filter(id__in=EventLot.objects.filter(lot_id=value).values("event_id"))
