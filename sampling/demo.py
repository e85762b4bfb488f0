"""Demo tasks and samples in every state, filed and moved by the demo users through the
same services as the API (idempotent: each demo sample is found again by its note)."""

import datetime as dt

from django.utils import timezone
from stdnum.cn import uscc as uscc_number

from core.demo import BEIJING, CHAOYANG, LAB_CODE, SHANGHAI, password_for
from core.models import Lab, User
from core.regions import NATIONAL
from core.services import user_upsert
from notices.models import Notice
from notices.services import notice_acknowledge, notice_complete, notices_issue_pending
from traceability.models import Lot, Party, Product
from traceability.services import events_record_bulk

from . import services
from .choices import SampleState, TaskLevel, TaskMode
from .deadlines import current_deadline
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
    # Reported, its objection window passed unused: dispose (and recall) can be walked now.
    ("final", "standard", "AX-2010", SampleState.REPORTED, "nonconforming"),
    ("rapid", "rapid", "AX-3001", SampleState.TESTED, "conforming"),
    ("online", "online", "AX-4001", SampleState.RECEIVED, None),
]


def _uscc(region, serial):
    body = f"91{region}{serial:09d}"
    return body + uscc_number.calc_check_digit(body)


def _party(serial, name, kind, region=CHAOYANG):
    # The traceability demo's parties when it ran (same USCCs), else our own.
    return Party.objects.get_or_create(
        uscc=_uscc(region, serial),
        defaults={"name": name, "kind": kind, "region": region, "address": name},
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
        if key == "final":
            _pass_objection_window(sample)
    # The demo's notices are issued now, in the seeding transaction, rather than by a
    # worker after it commits: the demo puts some of them in later states.
    notices_issue_pending()
    _notices_in_every_state()
    _supplied_part_taken_down(tasks["standard"], producer, inspector, lab, regulator)
    logins = _national(inspector=inspector, lab=lab, regulator=regulator, shop=shop)
    notices_issue_pending()
    return logins


def _notices_in_every_state():
    """The disposed kettle lot's holders: one completed, one acknowledged, one overdue,
    the rest just sent (the admin stands in for the holders' own users)."""
    admin = User.objects.get(username="admin")
    disposed = Sample.objects.filter(note="demo:disposed", state=SampleState.DISPOSED).first()
    if disposed is None:
        return
    notices = list(
        Notice.objects.filter(source_kind="disposition", lot_id=disposed.lot_id)
        .select_related("party")
        .order_by("-quantity_received", "id")
    )
    if len(notices) < 3 or any(n.state != "sent" for n in notices):
        return  # too few holders, or done already
    completed, acknowledged, overdue = notices[:3]
    for notice in (completed, acknowledged):
        half = notice.quantity_received / 2
        notice_acknowledge(notice=notice, actor=admin, quantity_on_hand=half, quantity_removed=half)
    notice_complete(notice=completed, actor=admin, note="已全部下架封存")
    Notice.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=6))


def _supplied_part_taken_down(task, kettle_maker, inspector, lab, regulator):
    """A power-cord lot the kettle maker bought fails a check at the kettle maker's plant:
    the take-down notice goes to the kettle maker (the demo enterprise user's party)."""
    note = "demo:supplied-part"
    if Sample.objects.filter(note=note).exists():
        return
    supplier = _party(9, "北京安联电线电缆有限公司", "producer")
    cord = Product.objects.get_or_create(
        producer=supplier,
        brand="安联",
        model="PC-10A",
        defaults={"name": "电源线 power cord", "category": "power_cord"},
    )[0]
    lot = Lot.objects.get_or_create(
        product=cord,
        lot_code="PC2025-0415",
        defaults={"quantity": 5000, "produced_on": timezone.localdate() - dt.timedelta(days=60)},
    )[0]

    def day(days_ago):
        return (timezone.now() - dt.timedelta(days=days_ago)).isoformat()

    ship = {"source": supplier.pk, "destination": kettle_maker.pk}
    shipped = [{"lot": lot.pk, "quantity": 3000}]
    events_record_bulk(
        actor=regulator,
        items=[
            {
                "event_id": "demo-pc-1",
                "kind": "commission",
                "occurred_at": day(50),
                "party": supplier.pk,
                "lots": [{"lot": lot.pk, "quantity": 5000}],
            },
            {
                "event_id": "demo-pc-2",
                "kind": "ship",
                "occurred_at": day(45),
                "party": supplier.pk,
                "lots": shipped,
                **ship,
            },
            {
                "event_id": "demo-pc-3",
                "kind": "receive",
                "occurred_at": day(44),
                "party": kettle_maker.pk,
                "lots": shipped,
                **ship,
            },
        ],
    )
    sample = services.sample_create(
        actor=inspector,
        task=task,
        sampled_party=kettle_maker,
        producer=supplier,
        lot=lot,
        location_kind="production",
        quantity=4,
        backup_quantity=4,
        sampled_at=timezone.now() - dt.timedelta(days=25),
        inspectors=["张伟 110105-017", "李娜 110105-022"],
        note=note,
    )
    _advance(sample, SampleState.REPORTED, "nonconforming", inspector, lab, regulator, None)
    Sample.objects.filter(pk=sample.pk).update(notified_at=timezone.now() - dt.timedelta(days=16))
    sample.refresh_from_db()
    services.sample_dispose(
        sample=sample, actor=regulator, measures=[{"measure": "take_down"}], note="责令下架"
    )


def _pass_objection_window(sample):
    """Notified 16 days ago: the result is final (and its disposal due)."""
    sample.refresh_from_db()
    sample.notified_at = timezone.now() - dt.timedelta(days=16)
    sample.due_stage, sample.due_at = current_deadline(sample)
    Sample.objects.filter(pk=sample.pk).update(
        notified_at=sample.notified_at, due_stage=sample.due_stage, due_at=sample.due_at
    )
    return sample


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
    sample = _pass_objection_window(sample)
    services.sample_dispose(
        sample=sample,
        actor=regulator,
        measures=[{"measure": "take_down"}, {"measure": "recall"}, {"measure": "rectify"}],
        note="责令下架、召回并整改",
    )


# --- A national task, allocated to two provinces (DESIGN.md §6.1) -------------------------

PUDONG = "310115"
NATIONAL_TASK = "demo-samr-ebike-charger"
SH_LAB_CODE = "lab-sh-01"
# key: (province share, inspector, producer, shop, conclusion)
NATIONAL_SAMPLES = [
    ("bj-conforming", BEIJING, "inspector", "bj", "bj", "conforming"),
    ("bj-handed-over", BEIJING, "inspector", "sh", "bj", "nonconforming"),
    ("sh-conforming", SHANGHAI, "inspector_pd", "sh", "sh", "conforming"),
]


def _national_people():
    Lab.objects.update_or_create(
        code=SH_LAB_CODE,
        defaults={"name": "上海市质量监督检验技术研究院", "region": SHANGHAI},
    )
    accounts = [
        ("samr", "regulator", {"region": NATIONAL}),
        ("inspector_pd", "inspector", {"region": PUDONG}),
        ("lab_sh", "lab", {"lab_code": SH_LAB_CODE}),
    ]
    people = {}
    for username, role, links in accounts:
        # The demo's passwords are published in the README: a policy would add nothing.
        people[username] = user_upsert(
            username=username,
            role=role,
            password=password_for(username),
            password_policy=False,
            **links,
        )
    return people, [(username, password_for(username)) for username, _, _ in accounts]


def _national(*, inspector, lab, regulator, shop):
    """SAMR's national task, allocated to Beijing and Shanghai, sampled by district
    inspectors; a Shanghai charger sampled in Chaoyang fails, is handed over to Pudong and
    disposed of there; then the results are published."""
    people, logins = _national_people()
    samr = people["samr"]
    regulator_sh = User.objects.get(username="regulator_sh")
    task = Task.objects.filter(code=NATIONAL_TASK).first()
    if task is None:
        today = timezone.localdate()
        task = services.task_create(
            actor=samr,
            code=NATIONAL_TASK,
            title="2026年电动自行车充电器产品质量国家监督抽查",
            level=TaskLevel.NATIONAL,
            region=NATIONAL,
            category="electric_bicycle",
            lab=Lab.objects.get(code=LAB_CODE),
            starts_on=today - dt.timedelta(days=60),
            ends_on=today + dt.timedelta(days=120),
            standard="GB 42295-2022",
            quota=6,
        )
    if not task.children.exists():
        services.task_allocate(
            task=task,
            actor=samr,
            allocations=[
                {"region": BEIJING, "quota": 3, "lab": Lab.objects.get(code=LAB_CODE)},
                {"region": SHANGHAI, "quota": 3, "lab": Lab.objects.get(code=SH_LAB_CODE)},
            ],
        )
    parties = {
        ("producer", "bj"): _party(11, "北京朝阳迅能电源有限公司", "producer"),
        ("producer", "sh"): _party(12, "上海浦东申驰电器有限公司", "producer", PUDONG),
        ("shop", "bj"): shop,
        ("shop", "sh"): _party(13, "浦东新区电动车商行", "retailer", PUDONG),
    }
    users = {"inspector": inspector, "inspector_pd": people["inspector_pd"]}
    labs = {BEIJING: lab, SHANGHAI: people["lab_sh"]}
    for offset, (key, province, who, made_by, sold_at, conclusion) in enumerate(NATIONAL_SAMPLES):
        note = f"demo:national:{key}"
        if Sample.objects.filter(note=note).exists() or task.state != "open":
            continue
        share = task.children.get(region=province)
        sample = services.sample_create(
            actor=users[who],
            task=share,
            sampled_party=parties[("shop", sold_at)],
            producer=parties[("producer", made_by)],
            location_kind="retail",
            quantity=3,
            backup_quantity=3,
            sampled_at=timezone.now() - dt.timedelta(days=40 - offset, hours=2),
            inspectors=["王强 0301", "赵敏 0302"],
            product_name="电动自行车充电器",
            brand="迅能" if made_by == "bj" else "申驰",
            model=f"CH-48V-{offset + 1}",
            lot_code=f"2026-03-{offset + 1:02d}",
            produced_on=timezone.localdate() - dt.timedelta(days=90),
            note=note,
        )
        tester = labs[province]
        sample = services.sample_receive(sample=sample, actor=tester)
        items = CHARGER_FAIL if conclusion == "nonconforming" else CHARGER_PASS
        sample = services.sample_record_results(
            sample=sample, actor=tester, items=items, conclusion=conclusion
        )
        sample = services.sample_issue_report(
            sample=sample, actor=tester, report_no=f"NQI-{sample.pk:06d}"
        )
        organiser = regulator if province == BEIJING else regulator_sh
        sample = services.sample_notify(sample=sample, actor=organiser, note="告知书已送达")
        if conclusion == "conforming":
            if province == BEIJING:
                services.sample_close(sample=sample, actor=organiser, note="合格 conforming")
            continue
        # Handed over to Pudong: Shanghai's regulators dispose of it, once the objection
        # window has passed unused.
        Sample.objects.filter(pk=sample.pk).update(
            notified_at=timezone.now() - dt.timedelta(days=16)
        )
        sample.refresh_from_db()
        services.sample_dispose(
            sample=sample,
            actor=regulator_sh,
            measures=[{"measure": "rectify"}, {"measure": "take_down"}],
            note="移送浦东新区处理, 责令整改并下架",
        )
    if task.state == "open":
        services.task_publish(task=task, actor=samr)
    return logins


CHARGER_FAIL = [
    {
        "item": "输出电压 output voltage",
        "standard": "GB 42295-2022 5.3",
        "requirement": "<= 59 V",
        "measured_value": "63.4",
        "unit": "V",
        "verdict": "fail",
    },
    {"item": "标志 marking", "standard": "GB 42295-2022 8", "verdict": "pass"},
]
CHARGER_PASS = [
    {"item": "输出电压 output voltage", "standard": "GB 42295-2022 5.3", "verdict": "pass"},
    {"item": "标志 marking", "standard": "GB 42295-2022 8", "verdict": "pass"},
]
