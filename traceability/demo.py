"""Demo supply chains: a multi-tier food chain (wheat flour milled into biscuits) and a
consumer-goods chain (electric kettles) across Beijing, Chaoyang and Shanghai, plus the
demo enterprise user (the kettle producer)."""

import datetime as dt

from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from core.choices import Role
from core.demo import password_for
from core.services import user_upsert

from .choices import EventKind, LotRole, PartyKind
from .models import Event, EventLot, Lot, Party, Product


def _uscc(region, serial):
    body = f"91{region}{serial:09d}"
    return body + uscc_number.calc_check_digit(body)


PARTIES = {
    # key: (region, serial, name, kind)
    "kettle_maker": ("110105", 1, "北京朝阳安心电器有限公司", PartyKind.PRODUCER),
    "mill": ("110000", 2, "北京京麦面粉厂", PartyKind.PRODUCER),
    "bakery": ("110105", 3, "北京朝阳香酥食品有限公司", PartyKind.PRODUCER),
    "distributor_bj": ("110000", 4, "北京华北商贸有限公司", PartyKind.DISTRIBUTOR),
    "retailer_bj": ("110105", 5, "朝阳便民超市", PartyKind.RETAILER),
    "distributor_sh": ("310000", 6, "上海东方物流有限公司", PartyKind.DISTRIBUTOR),
    "retailer_sh": ("310000", 7, "上海浦江百货", PartyKind.RETAILER),
    "platform": ("310000", 8, "沪购电商平台", PartyKind.PLATFORM),
}
ENTERPRISE_PARTY = "kettle_maker"


def seed():
    parties = {
        key: Party.objects.update_or_create(
            uscc=_uscc(region, serial),
            defaults={"name": name, "kind": kind, "region": region, "address": name},
        )[0]
        for key, (region, serial, name, kind) in PARTIES.items()
    }
    kettle = _product(
        parties["kettle_maker"], "电热水壶", "安心", "AX-1702", "electric_kettle", "06901234567892"
    )
    flour = _product(parties["mill"], "小麦粉", "京麦", "25kg", "wheat_flour", None)
    biscuit = _product(parties["bakery"], "苏打饼干", "香酥", "400g", "biscuit", None)
    kettle_lot = _lot(kettle, "K2025-0601", 2000)
    flour_lot = _lot(flour, "F2025-0520", 10000, unit="kg")
    biscuit_lot = _lot(biscuit, "B2025-0602", 5000)

    p = parties
    _event("demo-k-1", EventKind.COMMISSION, 40, p["kettle_maker"], lots=[(kettle_lot, 2000)])
    _event(
        "demo-k-2",
        EventKind.SHIP,
        35,
        p["kettle_maker"],
        lots=[(kettle_lot, 1200)],
        destination=p["distributor_bj"],
    )
    _event(
        "demo-k-3",
        EventKind.SHIP,
        35,
        p["kettle_maker"],
        lots=[(kettle_lot, 600)],
        destination=p["distributor_sh"],
    )
    # The Beijing distributor confirms its receipt (confirmed custody); the others do not.
    _event(
        "demo-k-2r",
        EventKind.RECEIVE,
        34,
        p["distributor_bj"],
        lots=[(kettle_lot, 1200)],
        source=p["kettle_maker"],
        destination=p["distributor_bj"],
    )
    _event(
        "demo-k-4",
        EventKind.SHIP,
        30,
        p["distributor_bj"],
        lots=[(kettle_lot, 500)],
        destination=p["retailer_bj"],
    )
    _event(
        "demo-k-5",
        EventKind.SHIP,
        28,
        p["distributor_sh"],
        lots=[(kettle_lot, 400)],
        destination=p["platform"],
    )
    _event(
        "demo-k-6",
        EventKind.SHIP,
        27,
        p["distributor_sh"],
        lots=[(kettle_lot, 150)],
        destination=p["retailer_sh"],
    )
    _event("demo-k-7", EventKind.SELL, 20, p["retailer_bj"], lots=[(kettle_lot, 320)])
    # a return: the Shanghai retailer sends 20 back to the distributor
    _event(
        "demo-k-8",
        EventKind.SHIP,
        10,
        p["retailer_sh"],
        lots=[(kettle_lot, 20)],
        destination=p["distributor_sh"],
    )

    _event("demo-f-1", EventKind.COMMISSION, 45, p["mill"], lots=[(flour_lot, 10000)])
    _event(
        "demo-f-2", EventKind.SHIP, 42, p["mill"], lots=[(flour_lot, 2000)], destination=p["bakery"]
    )
    _event(
        "demo-f-3", EventKind.RECEIVE, 41, p["bakery"], lots=[(flour_lot, 2000)], source=p["mill"]
    )
    _event(
        "demo-f-4",
        EventKind.TRANSFORM,
        38,
        p["bakery"],
        inputs=[(flour_lot, 1500)],
        outputs=[(biscuit_lot, 5000)],
    )
    _event(
        "demo-f-5",
        EventKind.SHIP,
        36,
        p["bakery"],
        lots=[(biscuit_lot, 3000)],
        destination=p["distributor_bj"],
    )
    _event(
        "demo-f-6",
        EventKind.SHIP,
        33,
        p["distributor_bj"],
        lots=[(biscuit_lot, 1000)],
        destination=p["retailer_bj"],
    )
    _event(
        "demo-f-7",
        EventKind.SHIP,
        33,
        p["distributor_bj"],
        lots=[(biscuit_lot, 1500)],
        destination=p["distributor_sh"],
    )
    _event(
        "demo-f-8",
        EventKind.SHIP,
        30,
        p["distributor_sh"],
        lots=[(biscuit_lot, 1500)],
        destination=p["retailer_sh"],
    )

    user_upsert(
        username="enterprise",
        role=Role.ENTERPRISE,
        party_uscc=parties[ENTERPRISE_PARTY].uscc,
        password=password_for("enterprise"),
        password_policy=False,  # published in the README
    )
    return [("enterprise", password_for("enterprise"))]


def _product(producer, name, brand, model, category, gtin):
    return Product.objects.update_or_create(
        producer=producer,
        brand=brand,
        model=model,
        defaults={"name": name, "category": category, "gtin": gtin},
    )[0]


def _lot(product, code, quantity, unit="pcs"):
    return Lot.objects.update_or_create(
        product=product,
        lot_code=code,
        defaults={
            "quantity": quantity,
            "unit": unit,
            "produced_on": timezone.localdate() - dt.timedelta(days=50),
        },
    )[0]


def _event(
    event_id,
    kind,
    days_ago,
    party,
    *,
    lots=(),
    inputs=(),
    outputs=(),
    source=None,
    destination=None,
):
    if kind == EventKind.SHIP:
        source = source or party
    event, created = Event.objects.get_or_create(
        event_id=event_id,
        defaults={
            "kind": kind,
            "occurred_at": timezone.now() - dt.timedelta(days=days_ago),
            "party": party,
            "source": source,
            "destination": destination,
        },
    )
    if created:
        EventLot.objects.bulk_create(
            [EventLot(event=event, lot=lot, quantity=q, role=LotRole.LOT) for lot, q in lots]
            + [EventLot(event=event, lot=lot, quantity=q, role=LotRole.INPUT) for lot, q in inputs]
            + [
                EventLot(event=event, lot=lot, quantity=q, role=LotRole.OUTPUT)
                for lot, q in outputs
            ]
        )
    return event
