"""A demo risk assessment: the demo kettle lot's leakage-current hazard (after the
traceability demo), assessed by the Beijing regulator and left for a decision; and
consumer complaints with one cluster."""

import datetime as dt

from django.utils import timezone

from core.models import User
from traceability.models import Lot

from .jobs import detect_complaint_clusters
from .models import Complaint, RiskAssessment
from .services import assessment_create, complaint_file

HAZARD = "电击：泄漏电流超过限值"
STEPS = [
    {"description": "The lot's insulation is faulty (non-conforming samples)", "probability": 0.1},
    {"description": "使用者在水壶通电时触碰壶身", "probability": 0.5},
    {"description": "泄漏电流经人体流过", "probability": 0.2},
]


def seed():
    seed_complaints()
    lot = Lot.objects.filter(lot_code="K2025-0601", product__category="electric_kettle").first()
    regulator = User.objects.filter(username="regulator").first()
    if lot is None or regulator is None or RiskAssessment.objects.filter(lot=lot, hazard=HAZARD):
        return []
    assessment_create(
        actor=regulator,
        subject_kind="lot",
        lot=lot,
        hazard=HAZARD,
        steps=STEPS,
        severity=3,
        notes="Demo: 0.1 * 0.5 * 0.2 = 1/100, severity 3: serious, a recall is recommended.",
    )
    return []


# Consumer complaints (DESIGN.md §7): a steady trickle about the demo kettle and others,
# then a cluster of fire complaints about the AX-1702 kettle yesterday, which
# detect_complaint_clusters raises as a complaint_cluster alert.
COMPLAINT_MARK = "[演示 demo]"
KETTLE_COMPLAINT = {
    "category": "electric_kettle",
    "product_name": "电热水壶",
    "brand": "安心",
    "model": "AX-1702",
    "gtin": "6901234567892",
}
OTHER_COMPLAINTS = [
    # (category, product name, brand, model, problem, how many)
    ("toy", "拼装积木", "乐拼", "LP-300", ["choking"], 6),
    ("electric_bicycle", "电动自行车", "速行", "SX-48", ["fire", "quality_defect"], 5),
    ("biscuit", "苏打饼干", "香酥", "400g", ["quality_defect"], 3),
]


def _complain(day, hour, serial, **fields):
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
    complaint_file(
        actor=None,
        channel="web" if serial % 3 else "hotline_12315",
        region="110105" if serial % 2 else "110108",
        received_at=at,
        contact=f"1390000{serial:04d}",
        **fields,
    )


def seed_complaints():
    if Complaint.objects.filter(narrative__startswith=COMPLAINT_MARK).exists():
        return
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    serial = 0
    for back in range(2, 12, 2):  # the baseline: one complaint every other day
        serial += 1
        _complain(
            yesterday - dt.timedelta(days=back),
            10,
            serial,
            problem=["quality_defect"],
            narrative=f"{COMPLAINT_MARK} 壶盖关不严。",
            **KETTLE_COMPLAINT,
        )
    for hour in range(8, 16):  # the cluster: eight fire complaints in one day
        serial += 1
        _complain(
            yesterday,
            hour,
            serial,
            problem=["fire"],
            lot_code="K2025-0601",
            narrative=f"{COMPLAINT_MARK} 烧水时底座冒烟起火。",
            **KETTLE_COMPLAINT,
        )
    for category, name, brand, model, problem, count in OTHER_COMPLAINTS:
        for i in range(count):
            serial += 1
            _complain(
                yesterday - dt.timedelta(days=i * 3),
                11,
                serial,
                category=category,
                product_name=name,
                brand=brand,
                model=model,
                problem=problem,
                narrative=f"{COMPLAINT_MARK} {name}有问题。",
            )
    detect_complaint_clusters(as_of=yesterday)
