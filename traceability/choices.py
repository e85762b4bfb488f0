from django.db import models


class PartyKind(models.TextChoices):
    PRODUCER = "producer", "生产者 producer"
    DISTRIBUTOR = "distributor", "经销商 distributor"
    RETAILER = "retailer", "零售商 retailer"
    PLATFORM = "platform", "电商平台 platform"
    IMPORTER = "importer", "进口商 importer"
    OTHER = "other", "其他 other"


class EventKind(models.TextChoices):
    COMMISSION = "commission", "生产赋码 commission"
    SHIP = "ship", "发货 ship"
    RECEIVE = "receive", "收货 receive"
    TRANSFORM = "transform", "加工转化 transform"
    SELL = "sell", "销售 sell"
    DESTROY = "destroy", "销毁 destroy"
    # An EPCIS event that moves nothing between parties (inspecting, packing, storing, ...).
    OBSERVE = "observe", "观察 observe"


class EpcisType(models.TextChoices):
    OBJECT = "ObjectEvent"
    AGGREGATION = "AggregationEvent"
    TRANSACTION = "TransactionEvent"
    TRANSFORMATION = "TransformationEvent"
    ASSOCIATION = "AssociationEvent"


class LotRole(models.TextChoices):
    LOT = "lot", "lot"
    INPUT = "input", "input"
    OUTPUT = "output", "output"
