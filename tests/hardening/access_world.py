"""The world of the access matrix: every kind of object twice, once on "mine" side (Beijing /
Chaoyang, lab-bj, the Beijing party, site-bj: what the personas below may reach) and once on
"theirs" (Shanghai / Pudong, lab-sh, the Shanghai party, site-sh: what they must not), and
the personas of tests/conftest.py, one per role (the `mine` persona of each role)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from core.choices import Role
from core.models import AlertDelivery
from core.services import alert_raise, subscription_create
from injury.models import AccidentCategory
from injury.services import accident_create
from notices.models import Notice
from recalls.services import recall_object
from risk.services import assessment_create
from sampling.services import sample_create
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
from tests.sampling.factories import TaskFactory
from tests.traceability.factories import make_event
from traceability.choices import EventKind, PartyKind

ROLES = ("admin", "regulator", "inspector", "lab", "enterprise", "sentinel")


@dataclass
class World:
    users: dict  # role -> the persona whose scope holds "mine"
    mine: dict  # object name -> object
    theirs: dict

    def side(self, name):
        return self.mine if name == "mine" else self.theirs


def _side(*, tag, region, party, regulator, inspector, sentinel, enterprise, lab, site, admin):
    retailer = PartyFactory(region=region, name=f"{tag} retailer", kind=PartyKind.RETAILER)
    product = ProductFactory(producer=party, category="electric_kettle")
    lot = LotFactory(product=product, lot_code=f"{tag}-L1")
    event = make_event(EventKind.COMMISSION, party, lots=[(lot, 500)], days_ago=20)
    task = TaskFactory(code=f"{tag}-task", region=region, lab=lab)
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
    recall = make_recall(party, state="in_progress", actor=admin, kind="ordered")
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
    # The side's enterprise subscribes to its party's notices (admins see every one).
    subscription = subscription_create(
        actor=enterprise, url=f"https://{tag}.example.org/hook", secret="s" * 32
    )
    notice = Notice.objects.create(
        party=party,
        lot=lot,
        product=product,
        measure="take_down",
        quantity_received=10,
        source_kind="disposition",
        source_id=sample.pk,
        source_number=sample.sample_no,
        due_at=timezone.now() + dt.timedelta(hours=72),
    )
    alert = alert_raise(
        kind="deadline_overdue",
        dedup_key=f"matrix:{tag}",
        message=f"{tag}: a deadline passed.",
        region=region,
        subject=sample,
    )
    delivery, _ = AlertDelivery.objects.get_or_create(alert=alert, subscription=subscription)
    return {
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
        "alert": alert,
        "subscription": subscription,
        "delivery": delivery,
        "notice": notice,
    }


def build_world():
    admin = UserFactory(
        username="admin", role=Role.ADMIN, region="", is_staff=True, is_superuser=True
    )
    sides, users = {}, {}
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
            **{k: persons[k] for k in ("regulator", "inspector", "sentinel", "enterprise")},
        )
        users[tag] = persons
    return World(users={"admin": admin, **users["bj"]}, mine=sides["bj"], theirs=sides["sh"])
