"""A demo risk assessment: the demo kettle lot's leakage-current hazard (after the
traceability demo), assessed by the Beijing regulator and left for a decision."""

from core.models import User
from traceability.models import Lot

from .models import RiskAssessment
from .services import assessment_create

HAZARD = "电击 Electric shock: leakage current above the limit"
STEPS = [
    {"description": "The lot's insulation is faulty (non-conforming samples)", "probability": 0.1},
    {"description": "The user touches the body while the kettle is on", "probability": 0.5},
    {"description": "The leakage current passes through the user", "probability": 0.2},
]


def seed():
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
