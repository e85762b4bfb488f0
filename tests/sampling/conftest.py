import datetime as dt
import itertools

import pytest
from django.utils import timezone

from sampling import services
from sampling.choices import Conclusion, SampleState, TaskMode
from sampling.models import Sample
from tests.factories import PartyFactory

from .factories import TaskFactory

_serial = itertools.count(1)
FAIL_ITEMS = [
    {
        "item": "泄漏电流 leakage current",
        "standard": "GB 4706.1-2005",
        "requirement": "<= 0.75 mA",
        "measured_value": "1.2",
        "unit": "mA",
        "verdict": "fail",
    },
    {"item": "标志 marking", "standard": "GB 4706.1-2005", "verdict": "pass"},
]
PASS_ITEMS = [{"item": "标志 marking", "standard": "GB 4706.1-2005", "verdict": "pass"}]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def task(lab):
    return TaskFactory(lab=lab, code="bj-cy-2025-kettle")


@pytest.fixture
def rapid_task(lab):
    return TaskFactory(lab=lab, code="bj-cy-rapid", mode=TaskMode.RAPID)


@pytest.fixture
def online_task(lab):
    return TaskFactory(lab=lab, code="bj-cy-online", mode=TaskMode.ONLINE)


@pytest.fixture
def retailer(db):
    return PartyFactory(region="110105", name="朝阳某超市", kind="retailer")


def sample_body(task, producer, retailer, /, **overrides):
    body = {
        "task": task.id,
        "sampled_party": retailer.id,
        "producer": producer.id,
        "product_name": "电热水壶 electric kettle",
        "brand": "Acme",
        "model": f"K-{next(_serial)}",
        "lot_code": "20250101",
        "location_kind": "retail",
        "quantity": "4",
        "backup_quantity": "4",
        "price_paid": "0",
        "sampled_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "inspectors": ["张三 0101", "李四 0102"],
        "seal_intact": True,
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_sample(inspector, party, retailer, task):
    """A sample filed through the service, in the state asked for."""

    def make(state=SampleState.SAMPLED, *, task=task, conclusion=Conclusion.NONCONFORMING, **kw):
        sample = services.sample_create(
            actor=inspector,
            task=task,
            sampled_party=retailer,
            producer=party,
            location_kind="online" if task.mode == TaskMode.ONLINE else "retail",
            quantity=4,
            backup_quantity=4,
            sampled_at=timezone.now() - dt.timedelta(hours=2),
            inspectors=["张三", "李四"],
            product_name="电热水壶",
            brand="Acme",
            model=f"K-{next(_serial)}",
            lot_code="L1",
            **(
                {"order_no": "JD-1", "platform": "jd.com", "price_paid": 99}
                if task.mode == TaskMode.ONLINE
                else {}
            ),
            **kw,
        )
        return advance(sample, state, conclusion=conclusion)

    return make


def advance(sample, state, *, conclusion=Conclusion.NONCONFORMING):
    """Drive `sample` through the services (as an admin actor) up to `state`."""
    from core.models import User

    admin = User.objects.filter(role="admin").first() or User.objects.create(
        username="advance-admin", role="admin", is_superuser=True
    )
    path = [
        SampleState.RECEIVED,
        SampleState.TESTED,
        SampleState.REPORTED,
        SampleState.DISPOSED,
        SampleState.CLOSED,
    ]
    if state == SampleState.SAMPLED:
        return sample
    items = FAIL_ITEMS if conclusion == Conclusion.NONCONFORMING else PASS_ITEMS
    for step in path:
        if step == SampleState.RECEIVED and sample.task.mode != TaskMode.RAPID:
            sample = services.sample_receive(sample=sample, actor=admin)
        elif step == SampleState.TESTED:
            sample = services.sample_record_results(
                sample=sample, actor=admin, items=items, conclusion=conclusion
            )
            sample = services.sample_issue_report(
                sample=sample, actor=admin, report_no=f"R-{sample.pk}"
            )
        elif step == SampleState.REPORTED:
            sample = services.sample_notify(sample=sample, actor=admin)
        elif step == SampleState.DISPOSED:
            if conclusion == Conclusion.CONFORMING:
                continue
            pass_objection_window(sample)
            sample = services.sample_dispose(
                sample=sample, actor=admin, measures=[{"measure": "rectify"}]
            )
        elif step == SampleState.CLOSED:
            sample = services.sample_close(sample=sample, actor=admin)
        if step == state:
            break
    return Sample.objects.get(pk=sample.pk)


def pass_objection_window(sample):
    """Move the notification 16 days into the past: the objection window is over."""
    Sample.objects.filter(pk=sample.pk).update(notified_at=timezone.now() - dt.timedelta(days=16))
    sample.refresh_from_db()
