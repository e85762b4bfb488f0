"""Sampling writes: tasks, samples and every transition of a sample (DESIGN.md §6, §8)."""

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity, Role
from core.dates import add_months, not_in_future
from core.exceptions import ApplicationError
from core.messages import render_stored
from core.regions import NATIONAL, ancestors, covers, level_of, region_q
from core.rules import rule
from core.services import alert_raise
from core.states import record_history
from core.workdays import due_after
from notices.choices import NoticeSource
from notices.services import notices_order
from recalls.services import recall_open_draft
from traceability.models import Lot, Party, Product
from traceability.selectors import lot_trace
from traceability.services import lot_create, product_create

from .choices import (
    LEVEL_RANK,
    Conclusion,
    LocationKind,
    Measure,
    SampleState,
    TaskLevel,
    TaskMode,
    TaskState,
    TestRound,
    Verdict,
)
from .deadlines import current_deadline
from .models import (
    Disposition,
    Objection,
    PublishedCorrection,
    PublishedResult,
    Sample,
    Task,
    TestItem,
)
from .selectors import failing_items, published_rows, task_chain, task_tree_ids
from .states import sample_machine, task_machine


def _is_admin(actor):
    return getattr(actor, "is_levee_admin", False)


def task_create(
    *,
    actor,
    code,
    title,
    level,
    region,
    category,
    lab,
    starts_on,
    ends_on,
    mode=TaskMode.STANDARD,
    standard="",
    emergency=False,
    report_working_days=None,
    quota=None,
):
    if not _is_admin(actor) and not covers(actor.region, region):
        raise ApplicationError(
            _("Region %(region)s is outside your region %(yours)s.")
            % {"region": region, "yours": actor.region},
            attr="region",
        )
    if ends_on < starts_on:
        raise ApplicationError(_("A task cannot end before it starts."), attr="ends_on")
    # SAMR's national tasks, and only they, cover the nation (DESIGN.md §6.1).
    if (level == TaskLevel.NATIONAL) != (region == NATIONAL):
        raise ApplicationError(
            _("A national task has region %(NATIONAL)s, and only a national task has it.")
            % {"NATIONAL": NATIONAL},
            attr="region",
        )
    task = Task(
        code=code,
        title=title,
        level=level,
        region=region,
        category=category,
        mode=mode,
        lab=lab,
        starts_on=starts_on,
        ends_on=ends_on,
        standard=standard,
        emergency=emergency,
        report_working_days=report_working_days,
        quota=quota,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            task.save()
            task_machine.record_creation(task, actor=actor, payload={"code": code})
    except IntegrityError as exc:
        raise ApplicationError(
            _("A task with code “%(code)s” already exists.") % {"code": code}, attr="code"
        ) from exc
    return task


def _allocation_entries(task, allocations):
    """Check the allocations against the task and each other; returns them normalised."""
    if not allocations:
        raise ApplicationError(_("Allocate to at least one region."), attr="allocations")
    entries = []
    for index, entry in enumerate(allocations):
        region, quota = entry["region"], entry["quota"]
        if region == task.region or not covers(task.region, region):
            raise ApplicationError(
                _(
                    "Allocation %(index)s: region %(region)s is not inside the task's region "
                    "%(region2)s."
                )
                % {"index": index, "region": region, "region2": task.region},
                code="region_outside_task",
                attr="allocations",
            )
        if quota is None or quota < 1:
            raise ApplicationError(
                _("Allocation %(index)s: the quota is the number of samples to take, at least 1.")
                % {"index": index},
                attr="allocations",
            )
        for other in entries:
            if covers(other["region"], region) or covers(region, other["region"]):
                raise ApplicationError(
                    _(
                        "Allocation %(index)s: region %(region)s overlaps region %(value)s of the "
                        "same request."
                    )
                    % {"index": index, "region": region, "value": other["region"]},
                    code="region_allocated_twice",
                    attr="allocations",
                )
        entries.append({"region": region, "quota": quota, "lab": entry.get("lab") or task.lab})
    return entries


def task_allocate(*, task, actor, allocations):
    """Allocate a task to lower regions (DESIGN.md §6.1): one child task per entry, with
    the same category, mode, period and standard, its own quota and lab."""
    entries = _allocation_entries(task, allocations)

    def effect(locked):
        children = list(locked.children.all())
        for entry in entries:
            region = entry["region"]
            for child in children:
                if covers(child.region, region) or covers(region, child.region):
                    raise ApplicationError(
                        _(
                            "Task %(code)s is already allocated to region %(region)s as task "
                            "%(code2)s."
                        )
                        % {"code": locked.code, "region": child.region, "code2": child.code},
                        code="region_allocated_twice",
                        attr="allocations",
                    )
            taken = (
                Sample.objects.filter(region_q("region", region), task=locked)
                .exclude(state=SampleState.VOIDED)
                .count()
            )
            if entry["quota"] < taken:
                raise ApplicationError(
                    _(
                        "Region %(region)s's quota %(value)s is below the %(taken)s samples "
                        "already taken there under task %(code)s."
                    )
                    % {
                        "region": region,
                        "value": entry["quota"],
                        "taken": taken,
                        "code": locked.code,
                    },
                    code="quota_below_taken",
                    attr="allocations",
                )
        if locked.quota is not None:
            planned = sum(c.quota or 0 for c in children) + sum(e["quota"] for e in entries)
            if planned > locked.quota:
                raise ApplicationError(
                    _(
                        "The quotas allocated (%(planned)s) exceed task %(code)s's own quota of "
                        "%(quota)s."
                    )
                    % {"planned": planned, "code": locked.code, "quota": locked.quota},
                    code="quota_exceeded",
                    attr="allocations",
                )
        for entry in entries:
            child = Task(
                code=f"{locked.code}-{entry['region']}",
                title=f"{locked.title} ({entry['region']})",
                level=level_of(entry["region"]),
                region=entry["region"],
                parent=locked,
                quota=entry["quota"],
                category=locked.category,
                mode=locked.mode,
                lab=entry["lab"],
                starts_on=locked.starts_on,
                ends_on=locked.ends_on,
                standard=locked.standard,
                emergency=locked.emergency,
                report_working_days=locked.report_working_days,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            if len(child.code) > 64 or Task.objects.filter(code=child.code).exists():
                raise ApplicationError(
                    _(
                        "Cannot name the child task for region %(value)s: code '%(code)s' is "
                        "taken or too long."
                    )
                    % {"value": entry["region"], "code": child.code},
                    attr="allocations",
                )
            child.save()
            task_machine.record_creation(
                child, actor=actor, payload={"allocated_from": locked.code, "quota": child.quota}
            )
            entry["task"] = child.code

    payload = {
        "allocations": [
            {"region": e["region"], "quota": e["quota"], "lab": e["lab"].code} for e in entries
        ]
    }
    return task_machine.run(task, "allocate", actor=actor, payload=payload, effect=effect)


def task_publish(*, task, actor):
    """Publish a task's results (公布抽查结果) and those of every task allocated from it:
    each sample's row of the results notice is written once and never changed."""
    now = timezone.now()

    def effect(locked):
        tree = task_tree_ids(locked)
        below = [pk for pk in tree if pk != locked.pk]
        children = list(Task.objects.select_for_update().filter(pk__in=below, state=TaskState.OPEN))
        samples = (
            Sample.objects.filter(task_id__in=tree, published__isnull=True)
            .exclude(state=SampleState.VOIDED)
            .order_by("sample_no")
        )
        PublishedResult.objects.bulk_create(
            PublishedResult(
                sample_id=row["sample_id"],
                task_id=row["task_id"],
                product_id=row["product_id"],
                lot_id=row["lot_id"],
                conclusion=row["conclusion"],
                published_at=now,
                row_text=json.dumps(row["row"], ensure_ascii=False, cls=DjangoJSONEncoder),
            )
            for row in published_rows(samples)
        )
        figures = _tree_figures(tree)
        locked.published_at = now
        locked.published_samples, locked.published_conforming = figures[locked.pk]
        for child in children:
            child.state, child.published_at = TaskState.PUBLISHED, now
            child.published_samples, child.published_conforming = figures[child.pk]
            child.save(
                update_fields=["state", "published_at", "published_samples", "published_conforming"]
            )
            record_history(
                child,
                action="publish",
                from_state=TaskState.OPEN,
                to_state=TaskState.PUBLISHED,
                actor=actor,
                payload={"published_with": locked.code},
            )

    return task_machine.run(task, "publish", actor=actor, effect=effect)


def _tree_figures(tree):
    """{task id: (published samples, conforming)} over each task's own subtree."""
    own = {
        row["task_id"]: (row["n"], row["ok"])
        for row in PublishedResult.objects.filter(task_id__in=tree)
        .values("task_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(conclusion=Conclusion.CONFORMING)))
    }
    parent_of = dict(Task.objects.filter(pk__in=tree).values_list("pk", "parent_id"))
    figures = dict.fromkeys(parent_of, (0, 0))
    for pk, (n, ok) in own.items():
        node = pk
        while node in figures:  # up to the top of the tree being published
            figures[node] = (figures[node][0] + n, figures[node][1] + ok)
            node = parent_of[node]
    return figures


# --- Sample creation ---------------------------------------------------------------------


def _validate_sample(*, actor, task, sampled_at, inspectors, quantity, backup_quantity):
    # An inspector files under the tasks that cover their region (a provincial or national
    # plan is carried out by the districts' inspectors) and under those of their region.
    if actor.role == Role.INSPECTOR and not (
        covers(task.region, actor.region) or covers(actor.region, task.region)
    ):
        raise ApplicationError(_("The task is not one of your region's."), attr="task")
    published = next((t for t in task_chain(task) if t.state == TaskState.PUBLISHED), None)
    if published is not None:
        raise ApplicationError(
            _("The results of task %(code)s are published; it takes no more samples.")
            % {"code": published.code},
            code="task_published",
            attr="task",
        )
    not_in_future(sampled_at, "sampled_at")
    local_day = timezone.localtime(sampled_at).date()
    if not task.starts_on <= local_day <= task.ends_on:
        raise ApplicationError(
            _("sampled_at (%(day)s) is outside the task's dates %(start)s to %(end)s.")
            % {"day": local_day, "start": task.starts_on, "end": task.ends_on},
            attr="sampled_at",
        )
    names = [str(name).strip() for name in inspectors]
    minimum = rule("sampling.min_inspectors")
    if any(not name for name in names) or len(set(names)) < minimum:
        raise ApplicationError(
            _("At least %(count)s different inspectors must take a sample.") % {"count": minimum},
            attr="inspectors",
        )
    for attr, value in (("quantity", quantity), ("backup_quantity", backup_quantity)):
        if value is None or Decimal(value) <= 0:
            raise ApplicationError(_("%(field)s must be positive.") % {"field": attr}, attr=attr)
    return names


def _lock_product_and_reserve_id(producer, brand, model, name):
    """Serialise find-or-create of one product and its no-repeat check across processes,
    and reserve the new sample's id in the same round trip. Returns the id, or None where
    the database assigns it on insert (SQLite, which serialises writers already)."""
    if connection.vendor != "postgresql":
        return None
    key = f"sampling:{producer.pk}:{brand.lower()}:{model.lower()}:{name.lower()}"
    digest = int.from_bytes(
        hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s), nextval(pg_get_serial_sequence(%s, 'id'))",
            [digest, Sample._meta.db_table],
        )
        return cursor.fetchone()[1]


def _find_or_create_lot(
    *, actor, task, producer, product_name, brand, model, lot_code, produced_on
):
    """The lot as printed on the package, and the ids of the producer's products that the
    no-repeat rule counts as the same product (same brand and model, any case)."""
    candidates = Product.objects.filter(
        producer=producer, brand__iexact=brand, model__iexact=model
    ).order_by("id")
    if not (brand or model):
        candidates = candidates.filter(name=product_name)
    candidates = list(candidates)
    same = [p.pk for p in candidates]
    product = next(
        (p for p in candidates if (p.name, p.brand, p.model) == (product_name, brand, model)),
        None,
    )
    # Recorded through traceability's own services, as any product and lot (with history).
    lot = None
    if product is None:
        product = product_create(
            actor=actor,
            producer=producer,
            name=product_name,
            brand=brand,
            model=model,
            category=task.category,
        )
    else:  # a product created just now, under the lock, has no lot yet
        lot = Lot.objects.filter(product=product, lot_code=lot_code).first()
    if lot is None:
        lot = lot_create(actor=actor, product=product, lot_code=lot_code, produced_on=produced_on)
    return lot, same


def _same_products(product):
    if not (product.brand or product.model):
        return [product.pk]
    return list(
        Product.objects.filter(
            producer_id=product.producer_id,
            brand__iexact=product.brand,
            model__iexact=product.model,
        ).values_list("id", flat=True)
    )


def _earlier_sample(*, task, product, same_products, sampled_at):
    """An earlier sample of the same product that the no-repeat rule of §8 refuses this
    one for: same producer, brand, model and standard, under a task of the same or a
    higher level, within the window."""
    months = rule("sampling.repeat_window_months")
    levels = [lvl for lvl, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[task.level]]
    earlier = Sample.objects.filter(
        producer_id=product.producer_id,
        product_id__in=same_products,
        task__standard=task.standard,
        task__level__in=levels,
        sampled_at__gt=add_months(sampled_at, -months),
        sampled_at__lt=add_months(sampled_at, months),
    ).exclude(state=SampleState.VOIDED)
    return earlier.select_related("task").order_by("-sampled_at").first()


def _higher_task(*, task, region, sampled_at):
    """A running task of a higher level that covers this product where it was sampled, in
    the same period, and is not one the task was allocated from (Product Quality Law art.
    15: what a higher level checks, a lower level does not check again)."""
    day = timezone.localtime(sampled_at).date()
    levels = [lvl for lvl, rank in LEVEL_RANK.items() if rank > LEVEL_RANK[task.level]]
    return (
        Task.objects.filter(
            category=task.category,
            level__in=levels,
            region__in=ancestors(region),
            state=TaskState.OPEN,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .exclude(pk__in=[t.pk for t in task_chain(task)])
        .order_by("starts_on", "code")
        .first()
    )


def _check_purchase(*, task, location_kind, price_paid, order_no, platform):
    """An online task's samples are bought online, with the order and the price recorded."""
    if task.mode == TaskMode.ONLINE:
        for attr, value in (("order_no", order_no), ("platform", platform)):
            if not value:
                raise ApplicationError(
                    _("An online purchase records its %(field)s.") % {"field": attr}, attr=attr
                )
        if price_paid is None or Decimal(price_paid) <= 0:
            raise ApplicationError(
                _("An online purchase records the price paid."), attr="price_paid"
            )
        if location_kind != LocationKind.ONLINE:
            raise ApplicationError(
                _("An online task's samples are bought online."), attr="location_kind"
            )
    if price_paid is not None and Decimal(price_paid) < 0:
        raise ApplicationError(_("price_paid cannot be negative."), attr="price_paid")


def _check_lot_named(*, producer, lot, product_name, lot_code):
    """A known lot of the producer, or the product and lot as printed on the package."""
    if lot is not None:
        if lot.product.producer_id != producer.pk:
            raise ApplicationError(
                _("Lot %(lot)s is not a lot of producer %(uscc)s.")
                % {"lot": lot.pk, "uscc": producer.uscc},
                attr="lot",
            )
    elif not (product_name and lot_code):
        raise ApplicationError(
            _(
                "Give either lot, or product_name and lot_code (with brand and model) "
                "as printed on the package."
            ),
            attr="lot",
        )


def _check_not_covered(*, task, sampled_party, sampled_at):
    """A lower task does not check again what a running higher task covers (§8)."""
    higher = _higher_task(task=task, region=sampled_party.region, sampled_at=sampled_at)
    if higher is not None:
        raise ApplicationError(
            _(
                "%(category)s products in region %(region)s are covered by the running "
                "%(higher_level)s task %(higher)s (%(starts)s to %(ends)s); a %(level)s task "
                "does not check them again."
            )
            % {
                "category": task.category,
                "region": sampled_party.region,
                "higher_level": higher.get_level_display(),
                "higher": higher.code,
                "starts": higher.starts_on,
                "ends": higher.ends_on,
                "level": task.get_level_display(),
            },
            code="covered_by_higher_task",
            attr="task",
            extra={"higher_task": higher.code},
        )


def _check_follow_up(*, follow_up_of, producer):
    if follow_up_of.producer_id != producer.pk:
        raise ApplicationError(
            _("A follow-up check samples the same producer."), attr="follow_up_of"
        )
    if follow_up_of.state not in (SampleState.DISPOSED, SampleState.CLOSED):
        raise ApplicationError(
            _("A follow-up check follows a disposed sample."), attr="follow_up_of"
        )


def _check_not_sampled_recently(*, task, producer, product, same_products, sampled_at):
    """The no-repeat rule of §8: the same product is not sampled again within the window."""
    earlier = _earlier_sample(
        task=task, product=product, same_products=same_products, sampled_at=sampled_at
    )
    if earlier is not None:
        raise ApplicationError(
            _(
                "%(product)s of %(producer)s was sampled as %(sample_no)s on %(date)s under "
                "%(level)s task %(task)s: the same product is not sampled again within "
                "%(months)s months."
            )
            % {
                "product": product,
                "producer": producer.name,
                "sample_no": earlier.sample_no,
                "date": timezone.localtime(earlier.sampled_at).date(),
                "level": earlier.task.get_level_display(),
                "task": earlier.task.code,
                "months": rule("sampling.repeat_window_months"),
            },
            code="sampled_recently",
            extra={"earlier_sample": earlier.sample_no},
        )


def _lot_and_reserved_id(
    *, actor, task, producer, lot, product_name, brand, model, lot_code, produced_on
):
    """The sample's lot (found or recorded), the ids of the products the no-repeat rule
    counts as the same, and the new sample's id, with the product locked."""
    if lot is None:
        sample_id = _lock_product_and_reserve_id(producer, brand, model, product_name)
        lot, same_products = _find_or_create_lot(
            actor=actor,
            task=task,
            producer=producer,
            product_name=product_name,
            brand=brand,
            model=model,
            lot_code=lot_code,
            produced_on=produced_on,
        )
        return lot, same_products, sample_id
    product = lot.product
    sample_id = _lock_product_and_reserve_id(producer, product.brand, product.model, product.name)
    return lot, _same_products(product), sample_id


def sample_create(
    *,
    actor,
    task,
    sampled_party,
    producer,
    lot=None,
    product_name="",
    brand="",
    model="",
    lot_code="",
    produced_on=None,
    follow_up_of=None,
    **fields,
):
    """File a sample (DESIGN.md §6, §8). `fields`: the sample's own (location_kind,
    quantity, backup_quantity, unit, price_paid, sampled_at, inspectors, seal_intact, note
    and the online purchase's order_no, platform, shop_url, tracking_no, delivered_at)."""
    fields["inspectors"] = _validate_sample(
        actor=actor,
        task=task,
        sampled_at=fields["sampled_at"],
        inspectors=fields["inspectors"],
        quantity=fields["quantity"],
        backup_quantity=fields["backup_quantity"],
    )
    _check_purchase(
        task=task,
        location_kind=fields["location_kind"],
        price_paid=fields.get("price_paid"),
        order_no=fields.get("order_no", ""),
        platform=fields.get("platform", ""),
    )
    _check_lot_named(producer=producer, lot=lot, product_name=product_name, lot_code=lot_code)
    repeat_rules_apply = not task.emergency and follow_up_of is None
    if repeat_rules_apply:
        _check_not_covered(task=task, sampled_party=sampled_party, sampled_at=fields["sampled_at"])
    if follow_up_of is not None:
        _check_follow_up(follow_up_of=follow_up_of, producer=producer)

    with transaction.atomic():
        lot, same_products, sample_id = _lot_and_reserved_id(
            actor=actor,
            task=task,
            producer=producer,
            lot=lot,
            product_name=product_name,
            brand=brand,
            model=model,
            lot_code=lot_code,
            produced_on=produced_on,
        )
        if same_products and repeat_rules_apply:
            _check_not_sampled_recently(
                task=task,
                producer=producer,
                product=lot.product,
                same_products=same_products,
                sampled_at=fields["sampled_at"],
            )
        return _insert_sample(
            actor=actor,
            sample_id=sample_id,
            task=task,
            sampled_party=sampled_party,
            producer=producer,
            lot=lot,
            follow_up_of=follow_up_of,
            **fields,
        )


def _insert_sample(
    *, actor, sample_id, task, sampled_party, producer, lot, price_paid=None, **fields
):
    # {task code}-{id}: unique across the system without a counter row to contend on.
    sample = Sample(
        pk=sample_id,
        sample_no=f"{task.code}-{sample_id:06d}" if sample_id else f"pending-{uuid.uuid4().hex}",
        task=task,
        sampled_party=sampled_party,
        producer=producer,
        region=sampled_party.region,
        handling_region=producer.region,
        product=lot.product,
        lot=lot,
        price_paid=price_paid or 0,
        filed_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    sample.due_stage, sample.due_at = current_deadline(sample)
    sample.save(force_insert=True)
    if sample_id is None:
        sample.sample_no = f"{task.code}-{sample.pk:06d}"
        Sample.objects.filter(pk=sample.pk).update(sample_no=sample.sample_no)
    sample_machine.record_creation(
        sample, actor=actor, payload={"sample_no": sample.sample_no, "task": task.code}
    )
    return sample


# --- Transitions -------------------------------------------------------------------------


def sample_receive(*, sample, actor, received_at=None, seal_intact=None, note=""):
    received_at = not_in_future(received_at or timezone.now(), "received_at")
    if received_at < sample.sampled_at:
        raise ApplicationError(
            _("A sample cannot be received before it was taken."), attr="received_at"
        )

    def effect(locked):
        locked.received_at = received_at
        if seal_intact is not None:
            locked.seal_intact = seal_intact

    payload = {"received_at": received_at.isoformat(), "note": note}
    if seal_intact is not None:
        payload["seal_intact"] = seal_intact
    return sample_machine.run(sample, "receive", actor=actor, payload=payload, effect=effect)


def _validate_items(items, conclusion, *, allowed_names=None):
    if not items:
        raise ApplicationError(_("Record at least one test item."), attr="items")
    for index, item in enumerate(items):
        if item.get("verdict") not in Verdict.values:
            raise ApplicationError(
                _("Item %(index)s: verdict must be “pass” or “fail”.") % {"index": index},
                attr="items",
            )
        if not str(item.get("item", "")).strip():
            raise ApplicationError(
                _("Item %(index)s: name the tested item.") % {"index": index}, attr="items"
            )
        if allowed_names is not None and item["item"] not in allowed_names:
            raise ApplicationError(
                _(
                    "Item %(index)s: “%(item)s” was not objected to; a re-inspection covers "
                    "the objected items only."
                )
                % {"index": index, "item": item["item"]},
                attr="items",
            )
    if conclusion not in Conclusion.values:
        raise ApplicationError(
            _("conclusion must be “conforming” or “nonconforming”."), attr="conclusion"
        )
    failed = any(item["verdict"] == Verdict.FAIL for item in items)
    if failed != (conclusion == Conclusion.NONCONFORMING):
        raise ApplicationError(
            _(
                "The conclusion contradicts the items: a sample is non-conforming exactly "
                "when an item fails."
            ),
            attr="conclusion",
        )


def _item_rows(sample, items, test_round):
    fields = ("item", "standard", "requirement", "measured_value", "unit", "verdict")
    return [
        TestItem(sample=sample, round=test_round, **{f: item.get(f) or "" for f in fields})
        for item in items
    ]


def sample_record_results(*, sample, actor, items, conclusion, tested_at=None):
    _validate_items(items, conclusion)
    tested_at = not_in_future(tested_at or timezone.now(), "tested_at")

    def effect(locked):
        TestItem.objects.bulk_create(_item_rows(locked, items, TestRound.TEST))
        locked.tested_at = tested_at
        locked.conclusion = locked.initial_conclusion = conclusion

    payload = {"conclusion": conclusion, "items": len(items), "tested_at": tested_at.isoformat()}
    return sample_machine.run(sample, "record_results", actor=actor, payload=payload, effect=effect)


def sample_issue_report(*, sample, actor, report_no, issued_on=None, file=None):
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ApplicationError(_("issued_on is in the future."), attr="issued_on")
    if not report_no.strip():
        raise ApplicationError(_("Give the report number."), attr="report_no")

    def effect(locked):
        if issued_on < timezone.localtime(locked.tested_at).date():
            raise ApplicationError(_("A report cannot predate the tests."), attr="issued_on")
        locked.report_no = report_no.strip()
        locked.report_issued_on = issued_on
        locked.report_issued_at = timezone.now()
        if file is not None:
            locked.report_file = file

    payload = {"report_no": report_no, "issued_on": issued_on.isoformat()}
    return sample_machine.run(sample, "issue_report", actor=actor, payload=payload, effect=effect)


def _hands_over(sample):
    return (
        sample.conclusion == Conclusion.NONCONFORMING
        and sample.handling_region != sample.task.region
    )


def sample_notify(*, sample, actor, note=""):
    """The parties are notified; a non-conforming result whose handling region is not the
    task's is handed over (移送) to that region's regulators, who dispose of it."""

    def effect(locked):
        locked.notified_at = timezone.now()
        if _hands_over(locked):
            locked.handed_over_at = locked.notified_at

    with transaction.atomic():
        sample = sample_machine.run(
            sample, "notify", actor=actor, payload={"note": note}, effect=effect
        )
        if sample.handed_over_at:
            _hand_over(sample, actor)
    return sample


def _hand_over(sample, actor):
    origin = sample.task.region
    record_history(
        sample,
        action="hand_over",
        from_state=sample.state,
        to_state=sample.state,
        actor=actor,
        payload={"from_region": origin, "to_region": sample.handling_region},
    )
    alert_raise(
        kind=AlertKind.CASE_HANDED_OVER,
        dedup_key=f"case_handed_over:sample:{sample.pk}",
        message=gettext_noop(
            "Spot-check task %(task)s (region %(origin)s) hands over the non-conforming result "
            "of sample %(sample_no)s (%(product)s, %(producer)s) to region %(region)s for "
            "handling."
        ),
        message_args={
            "task": sample.task.code,
            "origin": origin,
            "sample_no": sample.sample_no,
            "product": str(sample.product),
            "producer": sample.producer.name,
            "region": sample.handling_region,
        },
        region=sample.handling_region,
        severity=AlertSeverity.HIGH,
        subject=sample,
        subject_label=sample.sample_no,
        payload={
            "sample_no": sample.sample_no,
            "task": sample.task.code,
            "from_region": origin,
            "to_region": sample.handling_region,
        },
    )


def sample_set_handling_region(*, sample, actor, handling_region, reason=""):
    """The organiser names another region to handle the result (before `notify`)."""
    previous = sample.handling_region

    def effect(locked):
        locked.handling_region = handling_region

    payload = {"from_region": previous, "to_region": handling_region, "reason": reason}
    return sample_machine.run(
        sample, "set_handling_region", actor=actor, payload=payload, effect=effect
    )


def sample_object(*, sample, actor, reason, items=()):
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the objection."), attr="reason")
    party = None
    if getattr(actor, "role", None) == Role.ENTERPRISE:
        party = Party.objects.filter(uscc=actor.party_uscc).first()
    tested = set(sample.items.filter(round=TestRound.TEST).values_list("item", flat=True))
    unknown = [name for name in items if name not in tested]
    if unknown:
        raise ApplicationError(
            _("Not tested items of this sample: %(items)s.") % {"items": ", ".join(unknown)},
            attr="items",
        )

    def effect(locked):
        Objection.objects.create(
            sample=locked,
            party=party,
            filed_by=actor if getattr(actor, "pk", None) else None,
            reason=reason,
            items=list(items),
        )

    payload = {"reason": reason, "items": list(items)}
    return sample_machine.run(sample, "object", actor=actor, payload=payload, effect=effect)


def sample_record_reinspection(*, sample, actor, items, conclusion, report_no=""):
    objection = Objection.objects.filter(sample=sample).first()
    allowed = set(objection.items) if objection and objection.items else None
    _validate_items(items, conclusion, allowed_names=allowed)

    def effect(locked):
        TestItem.objects.bulk_create(_item_rows(locked, items, TestRound.REINSPECTION))
        locked.reinspected_at = timezone.now()
        # The re-inspection's result is final (§8).
        locked.conclusion = conclusion
        published = PublishedResult.objects.filter(sample=locked).first()
        if published is not None:
            PublishedCorrection.objects.create(
                result=published,
                at=locked.reinspected_at,
                conclusion=conclusion,
                failing_items=failing_items(locked.items.all()),
                note=f"Re-inspection {report_no}".strip(),
            )

    payload = {"conclusion": conclusion, "items": len(items), "report_no": report_no}
    return sample_machine.run(
        sample, "record_reinspection", actor=actor, payload=payload, effect=effect
    )


def _default_due_on(measure, decided_at):
    stage = "rectification" if measure == Measure.RECTIFY else "follow_up"
    return timezone.localtime(due_after(decided_at, rule(f"sampling.deadlines.{stage}"))).date()


def _normalise_measures(measures, decided_at):
    if not measures:
        raise ApplicationError(_("Decide at least one measure."), attr="measures")
    kinds = [m.get("measure") for m in measures]
    for kind in kinds:
        if kind not in Measure.values:
            raise ApplicationError(
                _("Unknown measure “%(measure)s”; one of %(measures)s.")
                % {"measure": kind, "measures": ", ".join(Measure.values)},
                attr="measures",
            )
    if len(set(kinds)) != len(kinds):
        raise ApplicationError(_("Each measure is listed once."), attr="measures")
    if Measure.NONE in kinds and len(kinds) > 1:
        raise ApplicationError(_("“none” cannot be combined with other measures."), attr="measures")
    today = timezone.localtime(decided_at).date()
    normalised = []
    for m in measures:
        due_on = m.get("due_on")
        if m["measure"] == Measure.NONE:
            due_on = None
        elif due_on is None:
            due_on = _default_due_on(m["measure"], decided_at)
        elif due_on < today:
            raise ApplicationError(
                _("The due date of “%(measure)s” is in the past.") % {"measure": m["measure"]},
                attr="measures",
            )
        normalised.append(
            {
                "measure": m["measure"],
                "due_on": due_on.isoformat() if due_on else None,
                "note": m.get("note", ""),
            }
        )
    return normalised


def _record_failed_follow_up(sample, decided_at):
    """A follow-up check that failed: the original disposal records a public notice and a
    second follow-up 60-90 days later (DESIGN.md §8)."""
    original = (
        Disposition.objects.select_for_update().filter(sample_id=sample.follow_up_of_id).first()
    )
    if original is None:
        return
    earliest, latest = rule("sampling.second_follow_up_days")
    today = timezone.localtime(decided_at).date()
    # Text the project writes into a record is in the server's language (core.messages).
    note = render_stored(
        gettext_noop("Follow-up check %(sample_no)s failed."), {"sample_no": sample.sample_no}
    )
    original.measures = [
        *original.measures,
        {"measure": Measure.PUBLIC_NOTICE, "due_on": today.isoformat(), "note": note},
        {
            "measure": Measure.SECOND_FOLLOW_UP,
            "earliest_on": (today + dt.timedelta(days=earliest)).isoformat(),
            "due_on": (today + dt.timedelta(days=latest)).isoformat(),
            "note": note,
        },
    ]
    original.save(update_fields=["measures"])


def _notify_holders(sample, disposition, kinds, actor):
    """A take-down or a recall reaches every holder of the lot: one notice each, issued
    once the disposition has committed."""
    for measure in (Measure.RECALL, Measure.TAKE_DOWN):
        if measure in kinds:
            notices_order(
                source_kind=NoticeSource.DISPOSITION,
                source_id=disposition.pk,
                source_number=sample.sample_no,
                lot_ids=[sample.lot_id],
                measure=measure.value,
                producer_id=sample.producer_id,
                actor=actor,
            )
            return


def sample_dispose(*, sample, actor, measures, note=""):
    decided_at = timezone.now()
    normalised = _normalise_measures(measures, decided_at)
    kinds = {m["measure"] for m in normalised}

    def effect(locked):
        disposition = Disposition(
            sample=locked,
            measures=normalised,
            note=note,
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=decided_at,
            trace=lot_trace(lot_ids=[locked.lot_id], direction="forward"),
        )
        if kinds != {Measure.NONE}:
            disposition.follow_up_due_at = due_after(
                decided_at, rule("sampling.deadlines.follow_up")
            )
        disposition.save()
        if Measure.RECALL in kinds:
            failed = list(locked.items.filter(verdict=Verdict.FAIL).values_list("item", flat=True))
            disposition.recall = recall_open_draft(
                producer=locked.producer,
                lots=[locked.lot],
                hazard=render_stored(
                    gettext_noop("Non-conforming in spot check %(sample_no)s: %(items)s"),
                    {"sample_no": locked.sample_no, "items": ", ".join(dict.fromkeys(failed))},
                ),
                kind="ordered",
                source=disposition,
                actor=actor,
            )
            disposition.save(update_fields=["recall"])
        _notify_holders(locked, disposition, kinds, actor)
        if locked.follow_up_of_id:
            _record_failed_follow_up(locked, decided_at)

    payload = {"measures": normalised, "note": note}
    return sample_machine.run(sample, "dispose", actor=actor, payload=payload, effect=effect)


def sample_close(*, sample, actor, note=""):
    def effect(locked):
        locked.closed_at = timezone.now()

    return sample_machine.run(sample, "close", actor=actor, payload={"note": note}, effect=effect)


def sample_void(*, sample, actor, reason):
    if not reason or not reason.strip():
        raise ApplicationError(_("Give the reason for voiding the sample."), attr="reason")

    def effect(locked):
        locked.void_reason = reason

    return sample_machine.run(
        sample, "void", actor=actor, payload={"reason": reason}, effect=effect
    )
