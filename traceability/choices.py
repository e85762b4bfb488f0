from django.db import models
from django.utils.translation import pgettext_lazy


class PartyKind(models.TextChoices):
    PRODUCER = "producer", pgettext_lazy("PartyKind", "Producer")
    DISTRIBUTOR = "distributor", pgettext_lazy("PartyKind", "Distributor")
    RETAILER = "retailer", pgettext_lazy("PartyKind", "Retailer")
    PLATFORM = "platform", pgettext_lazy("PartyKind", "Platform")
    IMPORTER = "importer", pgettext_lazy("PartyKind", "Importer")
    OTHER = "other", pgettext_lazy("PartyKind", "Other")


class EventKind(models.TextChoices):
    COMMISSION = "commission", pgettext_lazy("EventKind", "Commission")
    SHIP = "ship", pgettext_lazy("EventKind", "Ship")
    RECEIVE = "receive", pgettext_lazy("EventKind", "Receive")
    TRANSFORM = "transform", pgettext_lazy("EventKind", "Transform")
    SELL = "sell", pgettext_lazy("EventKind", "Sell")
    DESTROY = "destroy", pgettext_lazy("EventKind", "Destroy")
    # An EPCIS event that moves nothing between parties (inspecting, packing, storing, ...).
    OBSERVE = "observe", pgettext_lazy("EventKind", "Observe")


class EpcisType(models.TextChoices):
    OBJECT = "ObjectEvent", pgettext_lazy("EpcisType", "Object event")
    AGGREGATION = "AggregationEvent", pgettext_lazy("EpcisType", "Aggregation event")
    TRANSACTION = "TransactionEvent", pgettext_lazy("EpcisType", "Transaction event")
    TRANSFORMATION = "TransformationEvent", pgettext_lazy("EpcisType", "Transformation event")
    ASSOCIATION = "AssociationEvent", pgettext_lazy("EpcisType", "Association event")


class LotRole(models.TextChoices):
    LOT = "lot", pgettext_lazy("LotRole", "Lot")
    INPUT = "input", pgettext_lazy("LotRole", "Input")
    OUTPUT = "output", pgettext_lazy("LotRole", "Output")
