"""Demo recalls of the traceability demo's kettles and biscuits, one in each main state,
with progress where there is some. Idempotent: a recall is found again by its title."""

from django.utils import timezone

from core.models import User
from traceability.models import Lot, Product

from . import services
from .models import Recall

KETTLE_PLAN = {
    "kind": "voluntary",
    "hazard": "底座温控器失效，干烧时可能过热起火。",
    "defect": "温控器触点粘连，无法断电。",
    "remedy": "replace",
    "remedy_details": "凭购买凭证到任一经销商免费更换新底座。",
    "risk_level": "serious",
    "scope_description": "安心 AX-1702 电热水壶, 下列批次。AX-1702 kettles of the listed lots.",
    "sale_regions": ["110000", "310000"],
    "consumer_contact": "400-800-1702 / recall.anxin.example.cn",
    "notice_text": "请立即停止使用下列批次的 AX-1702 电热水壶, 并联系客服免费更换。",
}

# (title, lot code, quantity, state, cumulative figures reported)
RECALLS = [
    ("AX-1702 电热水壶召回 (实施中)", "K2025-0601", None, "in_progress", (900, 300, 600, 0)),
    ("AX-1702 电热水壶召回 (已公告)", "K2025-0415", 1200, "announced", None),
    ("AX-1702 电热水壶召回 (计划已提交)", "K2025-0520", 800, "plan_submitted", None),
    ("AX-1702 电热水壶召回 (已结束)", "K2025-0301", 500, "closed", (500, 100, 350, 50)),
    ("AX-1702 电热水壶召回 (草稿)", "K2025-0710", 700, "draft", None),
]
STEPS = {
    "draft": [],
    "plan_submitted": ["submit_plan"],
    "announced": ["submit_plan", "approve", "announce"],
    "in_progress": ["submit_plan", "approve", "announce"],
    "closed": ["submit_plan", "approve", "announce"],
}


def seed():
    kettle = Product.objects.filter(model="AX-1702").select_related("producer").first()
    admin = User.objects.filter(username="admin").first()
    if kettle is None:
        return []
    today = timezone.localdate()
    for title, lot_code, quantity, state, figures in RECALLS:
        if Recall.objects.filter(producer=kettle.producer, title=title).exists():
            continue
        lot = Lot.objects.filter(product=kettle, lot_code=lot_code).first() or Lot.objects.create(
            product=kettle, lot_code=lot_code, quantity=quantity, produced_on=today
        )
        recall = services.recall_create(
            actor=admin,
            producer=kettle.producer,
            lots=[lot],
            title=title,
            category=kettle.category,
            production_from=lot.produced_on or today,
            production_to=lot.produced_on or today,
            **KETTLE_PLAN,
        )
        for action in STEPS[state]:
            recall = services.recall_transition(recall=recall, action=action, actor=admin)
        if figures:
            recovered, repaired, replaced, refunded = figures
            half = {"recovered": recovered // 2, "repaired": repaired // 2}
            for report in (
                half,
                {
                    "recovered": recovered - half["recovered"],
                    "repaired": repaired - half["repaired"],
                    "replaced": replaced,
                    "refunded": refunded,
                },
            ):
                services.recall_report_progress(
                    recall=recall, actor=admin, period_end=today, **report
                )
        if state == "closed":
            recall = services.recall_transition(
                recall=recall,
                action="complete",
                actor=admin,
                payload={"summary": "全部召回完成，受影响产品已全部收回。"},
            )
            services.recall_transition(recall=recall, action="close", actor=admin)
    return []
