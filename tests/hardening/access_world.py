"""The world of the access matrix: every kind of object twice, once on "mine" side (Beijing /
Chaoyang, lab-bj, the Beijing party, site-bj: what the personas below may reach) and once on
"theirs" (Shanghai / Pudong, lab-sh, the Shanghai party, site-sh: what they must not), and
the personas of tests/conftest.py, one per role (the `mine` persona of each role).

Each side's task is its province's share of one national task, and its sample is filed by
the district's inspector: the national task is seen by both sides, its shares by one. The
Beijing side also has a published task ("public_task"); on the Shanghai side that name is
its unpublished share."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from stdnum import ean

from core.choices import Role
from core.models import AlertDelivery
from core.regions import province_of
from core.services import alert_raise, subscription_create
from injury.models import AccidentCategory
from injury.services import accident_create
from recalls.services import recall_object
from risk.services import assessment_create, complaint_file
from sampling.choices import Conclusion, SampleState
from sampling.services import sample_create, task_allocate, task_publish
from tests.conftest import BEIJING, CHAOYANG, PUDONG, SHANGHAI
from tests.factories import (
    LabFactory,
    LotFactory,
    PartyFactory,
    ProductFactory,
    SentinelSiteFactory,
    UserFactory,
)
from tests.injury.factories import InjuryReportFactory
from tests.recalls.factories import make_recall
from tests.sampling.conftest import advance
from tests.sampling.factories import TaskFactory
from tests.traceability.factories import make_event
from traceability.choices import EventKind, PartyKind


def _gtin(region):
    body = f"0690{region}000"
    return body + ean.calc_check_digit(body)


ROLES = ("admin", "regulator", "inspector", "lab", "enterprise", "sentinel")


@dataclass
class World:
    users: dict  # role -> the persona whose scope holds "mine"
    mine: dict  # object name -> object
    theirs: dict

    def side(self, name):
        return self.mine if name == "mine" else self.theirs


def _published_task(*, tag, region, lab, party, retailer, inspector, admin):
    """A task of the side's district whose one (conforming) sample is closed, published."""
    task = TaskFactory(code=f"{tag}-published", region=region, lab=lab, category="toy")
    sample = sample_create(
        actor=inspector,
        task=task,
        sampled_party=retailer,
        producer=party,
        product_name="Matrix toy",
        lot_code=f"{tag}-T1",
        location_kind="retail",
        quantity=4,
        backup_quantity=4,
        sampled_at=timezone.now() - dt.timedelta(hours=3),
        inspectors=["张三 0101", "李四 0102"],
    )
    advance(sample, SampleState.CLOSED, conclusion=Conclusion.CONFORMING)
    return task_publish(task=task, actor=admin)


def _side(
    *, tag, region, party, regulator, inspector, sentinel, enterprise, lab, site, admin, national
):
    retailer = PartyFactory(region=region, name=f"{tag} retailer", kind=PartyKind.RETAILER)
    product = ProductFactory(producer=party, category="electric_kettle", gtin=_gtin(region))
    lot = LotFactory(product=product, lot_code=f"{tag}-L1")
    event = make_event(EventKind.COMMISSION, party, lots=[(lot, 500)], days_ago=20)
    # The side's province's share of a national task, sampled by a district inspector.
    task = task_allocate(
        task=national,
        actor=admin,
        allocations=[{"region": province_of(region), "quota": 5, "lab": lab}],
    ).children.get(region=province_of(region))
    sample = sample_create(
        actor=inspector,
        task=task,
        sampled_party=retailer,
        producer=party,
        lot=lot,
        location_kind="retail",
        quantity=4,
        backup_quantity=4,
        sampled_at=timezone.now() - dt.timedelta(hours=2),
        inspectors=["张三 0101", "李四 0102"],
    )
    recall = make_recall(party, state="in_progress", actor=admin, kind="ordered", lots=[lot])
    recall_object(recall=recall, actor=enterprise, reason="The defect is not ours.")
    report = InjuryReportFactory(site=site)
    # Its own category: the seeded ones may have been flushed by an earlier test module.
    category, _ = AccidentCategory.objects.get_or_create(
        code=f"matrix_{tag}", defaults={"name": f"{tag} category"}
    )
    accident = accident_create(
        actor=sentinel,
        category=category.code,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        description=f"{tag}: a kettle caught fire.",
        injuries=1,
        product=product,
    )
    assessment = assessment_create(
        actor=regulator,
        subject_kind="lot",
        lot=lot,
        hazard="Burns from a hot surface",
        steps=[{"description": "The thermostat fails", "probability": 0.1}],
        severity=2,
    )
    # Five complaints about the product (a published group, and a suggestion to sample it).
    for _ in range(5):
        complaint, _ = complaint_file(
            actor=regulator,
            channel="hotline_12315",
            region=region,
            category=f"complaint_{tag}",
            brand=product.brand,
            model=product.model,
            problem=["fire"],
        )
    subscription = subscription_create(
        actor=admin, url=f"https://{tag}.example.org/hook", secret="s" * 32, regions=[region[:2]]
    )
    alert = alert_raise(
        kind="deadline_overdue",
        dedup_key=f"matrix:{tag}",
        message=f"{tag}: a deadline passed.",
        region=region,
        subject=sample,
    )
    delivery, _ = AlertDelivery.objects.get_or_create(alert=alert, subscription=subscription)
    published = _published_task(
        tag=tag,
        region=region,
        lab=lab,
        party=party,
        retailer=retailer,
        inspector=inspector,
        admin=admin,
    )
    return {
        "public_task": published if tag == "bj" else task,
        "party": party,
        "retailer": retailer,
        "product": product,
        "lot": lot,
        "event": event,
        "task": task,
        "sample": sample,
        "recall": recall,
        "site": site,
        "report": report,
        "accident": accident,
        "category": category,
        "assessment": assessment,
        "complaint": complaint,
        "alert": alert,
        "subscription": subscription,
        "delivery": delivery,
    }


def build_world():
    admin = UserFactory(
        username="admin", role=Role.ADMIN, region="", is_staff=True, is_superuser=True
    )
    sides, users = {}, {}
    national = TaskFactory(
        code="matrix-national", level="national", region="000000", lab=LabFactory(code="lab-samr")
    )
    for tag, region, province in (("bj", CHAOYANG, BEIJING), ("sh", PUDONG, SHANGHAI)):
        lab = LabFactory(code=f"lab-{tag}", region=province)
        site = SentinelSiteFactory(code=f"site-{tag}", region=region)
        party = PartyFactory(region=region, name=f"{tag} producer")
        persons = {
            "regulator": UserFactory(
                username=f"regulator_{tag}", role=Role.REGULATOR, region=province
            ),
            "inspector": UserFactory(
                username=f"inspector_{tag}", role=Role.INSPECTOR, region=region
            ),
            "lab": UserFactory(username=f"lab_{tag}", role=Role.LAB, region="", lab=lab),
            "enterprise": UserFactory(
                username=f"enterprise_{tag}",
                role=Role.ENTERPRISE,
                region="",
                party_uscc=party.uscc,
            ),
            "sentinel": UserFactory(
                username=f"sentinel_{tag}", role=Role.SENTINEL, region="", site=site
            ),
        }
        sides[tag] = _side(
            tag=tag,
            region=region,
            party=party,
            lab=lab,
            site=site,
            admin=admin,
            national=national,
            **{k: persons[k] for k in ("regulator", "inspector", "sentinel", "enterprise")},
        )
        users[tag] = persons
    return World(users={"admin": admin, **users["bj"]}, mine=sides["bj"], theirs=sides["sh"])
