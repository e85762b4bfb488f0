"""Demo tasks and samples in every state, filed and moved by the demo users through the
same services as the API (idempotent: each demo sample is found again by its note)."""

import datetime as dt

from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from core.demo import CHAOYANG, LAB_CODE
from core.models import Lab, User
from traceability.models import Lot, Party, Product

from . import services
from .choices import SampleState, TaskLevel, TaskMode
from .models import Sample, Task

FAIL = [
    {
        "item": "泄漏电流 leakage current",
        "standard": "GB 4706.1-2005 13.2",
        "requirement": "<= 0.75 mA",
        "measured_value": "1.31",
        "unit": "mA",
        "verdict": "fail",
    },
    {"item": "标志和说明 marking", "standard": "GB 4706.1-2005 7", "verdict": "pass"},
]
PASS = [{"item": "标志和说明 marking", "standard": "GB 4706.1-2005 7", "verdict": "pass"}]

# key: (task, model, target state, conclusion)
SAMPLES = [
    ("sampled", "standard", "AX-2001", SampleState.SAMPLED, None),
    ("received", "standard", "AX-2002", SampleState.RECEIVED, None),
    ("tested", "standard", "AX-2003", SampleState.TESTED, "nonconforming"),
    ("reported", "standard", "AX-2004", SampleState.REPORTED, "nonconforming"),
    ("objected", "standard", "AX-2005", SampleState.OBJECTED, "nonconforming"),
    ("reinspected", "standard", "AX-2006", SampleState.REINSPECTED, "nonconforming"),
    ("disposed", "standard", None, SampleState.DISPOSED, "nonconforming"),
    ("closed", "standard", "AX-2008", SampleState.CLOSED, "conforming"),
    ("voided", "standard", "AX-2009", SampleState.VOIDED, None),
    ("rapid", "rapid", "AX-3001", SampleState.TESTED, "conforming"),
    ("online", "online", "AX-4001", SampleState.RECEIVED, None),
]


def _uscc(region, serial):
    body = f"91{region}{serial:09d}"
    return body + uscc_number.calc_check_digit(body)


def _party(serial, name, kind):
    # The traceability demo's parties when it ran (same USCCs), else our own.
    return Party.objects.get_or_create(
        uscc=_uscc(CHAOYANG, serial),
        defaults={"name": name, "kind": kind, "region": CHAOYANG, "address": name},
    )[0]


def _tasks(regulator):
    lab = Lab.objects.get(code=LAB_CODE)
    today = timezone.localdate()
    common = {
        "region": CHAOYANG,
        "category": "electric_kettle",
        "lab": lab,
        "starts_on": today - dt.timedelta(days=90),
        "ends_on": today + dt.timedelta(days=180),
        "standard": "GB 4706.19-2008",
        "created_by": regulator,
    }
    # Chaoyang's own (district-level) tasks: one level, so that no one of them covers the
    # products of another (Product Quality Law art. 15).
    specs = {
        "standard": ("demo-bj-kettle", "朝阳区电热水壶监督抽查", TaskLevel.COUNTY),
        "rapid": ("demo-bj-kettle-rapid", "朝阳区电热水壶现场快检", TaskLevel.COUNTY),
        "online": ("demo-bj-kettle-online", "朝阳区电热水壶网络购样抽查", TaskLevel.COUNTY),
    }
    tasks = {}
    for key, (code, title, level) in specs.items():
        mode = {"standard": TaskMode.STANDARD, "rapid": TaskMode.RAPID}.get(key, TaskMode.ONLINE)
        tasks[key] = Task.objects.update_or_create(
            code=code, defaults={**common, "title": title, "level": level, "mode": mode}
        )[0]
    return tasks


def seed():
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["inspector", "lab", "regulator", "enterprise"])
    }
    inspector, lab, regulator = users["inspector"], users["lab"], users["regulator"]
    # The enterprise user comes with the traceability demo; without it, the admin objects.
    objector = users.get("enterprise") or User.objects.get(username="admin")
    producer = _party(1, "北京朝阳安心电器有限公司", "producer")
    shop = _party(5, "朝阳便民超市", "retailer")
    if objector.role == "enterprise" and objector.party_uscc != producer.uscc:
        objector = User.objects.get(username="admin")
    tasks = _tasks(regulator)
    kettle = Product.objects.filter(producer=producer, model="AX-1702").first()
    kettle_lot = Lot.objects.filter(product=kettle).order_by("id").first() if kettle else None

    for offset, (key, task_key, model, state, conclusion) in enumerate(SAMPLES):
        note = f"demo:{key}"
        if Sample.objects.filter(note=note).exists():
            continue
        task = tasks[task_key]
        lot_args = (
            {"lot": kettle_lot}
            if model is None and kettle_lot
            else {
                "product_name": "电热水壶",
                "brand": "安心",
                "model": model or "AX-2007",
                "lot_code": f"D2025-{offset:02d}",
            }
        )
        online = task.mode == TaskMode.ONLINE
        sample = services.sample_create(
            actor=inspector,
            task=task,
            sampled_party=shop,
            producer=producer,
            location_kind="online" if online else "retail",
            quantity=4,
            backup_quantity=4,
            price_paid=129 if online else 0,
            sampled_at=timezone.now() - dt.timedelta(days=30 - offset, hours=3),
            inspectors=["张伟 110105-017", "李娜 110105-022"],
            note=note,
            order_no="JD2025060112345" if online else "",
            platform="京东 jd.com" if online else "",
            tracking_no="SF1234567890" if online else "",
            **lot_args,
        )
        _advance(sample, state, conclusion, inspector, lab, regulator, objector)
    return []


def _advance(sample, state, conclusion, inspector, lab, regulator, objector):
    if state == SampleState.VOIDED:
        services.sample_void(sample=sample, actor=inspector, reason="重复录入 filed twice")
        return
    rapid = sample.task.mode == TaskMode.RAPID
    order = [s.value for s in SampleState]
    reached = order.index(state)
    if not rapid and reached >= order.index(SampleState.RECEIVED):
        sample = services.sample_receive(sample=sample, actor=lab)
    if reached < order.index(SampleState.TESTED):
        return
    tester = inspector if rapid else lab
    items = FAIL if conclusion == "nonconforming" else PASS
    sample = services.sample_record_results(
        sample=sample, actor=tester, items=items, conclusion=conclusion
    )
    sample = services.sample_issue_report(
        sample=sample, actor=tester, report_no=f"BJQI-{sample.pk:06d}"
    )
    if state == SampleState.TESTED:
        return
    sample = services.sample_notify(sample=sample, actor=regulator, note="告知书已送达")
    if state == SampleState.REPORTED:
        return
    if state == SampleState.CLOSED:
        services.sample_close(sample=sample, actor=regulator, note="合格 conforming")
        return
    if state in (SampleState.OBJECTED, SampleState.REINSPECTED):
        sample = services.sample_object(
            sample=sample, actor=objector, reason="对检验方法有异议", items=[FAIL[0]["item"]]
        )
        if state == SampleState.REINSPECTED:
            services.sample_record_reinspection(
                sample=sample, actor=lab, items=[FAIL[0]], conclusion="nonconforming"
            )
        return
    # Disposed: the objection window has passed unused.
    Sample.objects.filter(pk=sample.pk).update(notified_at=timezone.now() - dt.timedelta(days=16))
    sample.refresh_from_db()
    services.sample_dispose(
        sample=sample,
        actor=regulator,
        measures=[{"measure": "take_down"}, {"measure": "recall"}, {"measure": "rectify"}],
        note="责令下架、召回并整改",
    )
