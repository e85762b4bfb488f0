"""Writes of the injury app: sentinel sites, injury reports, accidents and their
investigation (DESIGN.md §7, §8)."""

from itertools import batched

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.choices import AlertKind, AlertSeverity, Role, SiteKind
from core.dates import clock_skew, is_future
from core.exceptions import ApplicationError, PermissionDenied
from core.models import SentinelSite
from core.regions import covers
from core.services import alert_dedup_keys_raised, alert_raise
from core.workdays import due_after

from .categories import default_categories
from .choices import Reporter, RootCause
from .models import Accident, AccidentCategory, InjuryReport
from .states import accident_machine


def _full_clean(obj, exclude=()):
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        attr = None if field == "__all__" else field
        raise ApplicationError(" ".join(messages), attr=attr) from exc


def _not_in_future(value, attr):
    if is_future(value):
        raise ApplicationError(_("This time is in the future."), attr=attr)


# --- sentinel sites


def site_validate(site):
    if site.weight is None or site.weight <= 0:
        raise ApplicationError(_("A site's weight must be positive."), attr="weight")
    if site.active_from and site.active_to and site.active_to < site.active_from:
        raise ApplicationError(_("active_to is before active_from."), attr="active_to")
    _full_clean(site)


def site_create(*, actor, **fields):
    site = SentinelSite(**fields)
    site_validate(site)
    if SentinelSite.objects.filter(code=site.code).exists():
        raise ApplicationError(
            _("A site with code “%(code)s” exists.") % {"code": site.code}, attr="code"
        )
    site.save()
    return site


def site_update(*, site, actor, **fields):
    for name, value in fields.items():
        setattr(site, name, value)
    site_validate(site)
    if SentinelSite.objects.filter(code=site.code).exclude(pk=site.pk).exists():
        raise ApplicationError(
            _("A site with code “%(code)s” exists.") % {"code": site.code}, attr="code"
        )
    site.save()
    return site


def site_is_active_on(site, day):
    return (site.active_from is None or site.active_from <= day) and (
        site.active_to is None or site.active_to >= day
    )


# --- injury reports


def _report_site(actor, site):
    if actor.role == Role.SENTINEL:
        if site is None:
            return actor.site
        if site.pk != actor.site_id:
            raise PermissionDenied(
                _("A sentinel files reports for its own site only."), attr="site"
            )
        return site
    if not actor.is_levee_admin:
        raise PermissionDenied(_("Injury reports are filed by sentinel sites."))
    if site is None:
        raise ApplicationError(_("Name the sentinel site."), attr="site")
    return site


def injury_report_create(*, actor, site=None, product=None, product_category="", **fields):
    """File one injury case. The patient stays anonymous: only the coded fields are
    kept, and the site's current weight is copied onto the report."""
    site = _report_site(actor, site)
    occurred_at = fields["occurred_at"]
    _not_in_future(occurred_at, "occurred_at")
    if not site_is_active_on(site, timezone.localtime(occurred_at).date()):
        raise ApplicationError(
            _("Site %(code)s was not an active sentinel site on that date.") % {"code": site.code},
            attr="occurred_at",
        )
    if not product_category:
        if product is None:
            raise ApplicationError(_("Give the product category."), attr="product_category")
        product_category = product.category
    report = InjuryReport(
        site=site,
        product=product,
        product_category=product_category,
        weight=site.weight,
        filed_by=actor,
        **fields,
    )
    _full_clean(report, exclude=["filed_by"])
    report.save()
    return report


# --- accidents


def accident_category_get(code):
    """An active key category; the rules' defaults are (re)created on demand."""
    category = AccidentCategory.objects.filter(code=code).first()
    if category is None and code in (defaults := default_categories()):
        category, _created = AccidentCategory.objects.get_or_create(
            code=code, defaults=defaults[code]
        )
    if category is None or not category.active:
        raise ApplicationError(
            _("“%(code)s” is not a key category with mandatory accident reports.") % {"code": code},
            attr="category",
        )
    return category


def accident_deadlines(*, category, learned_at, casualties):
    """(first report due, full report due or None) for an accident (§8)."""
    if casualties and category.casualty_deadline_amount:
        period = (category.casualty_deadline_amount, category.casualty_deadline_unit)
    else:
        period = (category.deadline_amount, category.deadline_unit)
    full = None
    if category.full_report_amount:
        full = due_after(learned_at, (category.full_report_amount, category.full_report_unit))
    return due_after(learned_at, period), full


def _accident_filer(actor, *, region, product, reporter):
    """Who may file what (decided here, documented in the README): regulators for their
    region, admins anywhere, enterprises for their own products (as producer or seller),
    sentinel hospitals as the hospital. Returns (region, reporter, site)."""
    if actor.is_levee_admin:
        if not region:
            raise ApplicationError(_("Give the region where it happened."), attr="region")
        return region, reporter or Reporter.REGULATOR, None
    if actor.role == Role.REGULATOR:
        region = region or actor.region
        if not covers(actor.region, region):
            raise PermissionDenied(_("That region is outside yours."), attr="region")
        return region, reporter or Reporter.REGULATOR, None
    if actor.role == Role.ENTERPRISE:
        if product is None or product.producer.uscc != actor.party_uscc:
            raise PermissionDenied(
                _("An enterprise reports accidents with its own products."), attr="product"
            )
        reporter = reporter or Reporter.PRODUCER
        if reporter not in (Reporter.PRODUCER, Reporter.SELLER):
            raise ApplicationError(
                _("An enterprise reports as producer or seller."), attr="reporter"
            )
        return region or product.producer.region, reporter, None
    if actor.role == Role.SENTINEL:
        site = actor.site
        if site is None or site.kind != SiteKind.HOSPITAL:
            raise PermissionDenied(_("Only sentinel hospitals report accidents."))
        if reporter not in (None, "", Reporter.HOSPITAL):
            raise ApplicationError(_("A hospital reports as hospital."), attr="reporter")
        return region or site.region, Reporter.HOSPITAL, site
    raise PermissionDenied(_("Your role does not file accident reports."))


def _legal_report_time(actor, declared):
    """The report time that decides lateness: when Levee received the report. A regulator
    (or admin) entering a report the authority received earlier, by phone or on paper, states
    that time; a reporting party's own clock counts only within the clock-skew allowance."""
    now = timezone.now()
    if declared is None:
        return now
    if actor.is_levee_admin or actor.role == Role.REGULATOR:
        return declared
    return declared if declared >= now - clock_skew() else now


def accident_create(
    *,
    actor,
    category,
    occurred_at,
    description,
    learned_at=None,
    reported_at=None,
    region="",
    reporter="",
    deaths=0,
    injuries=0,
    property_loss=0,
    product=None,
    lot=None,
):
    """File a mandatory accident report: compute its deadline and `late`, raise an
    accident_reported alert (high severity when anyone died)."""
    category = accident_category_get(category)
    declared_reported_at = reported_at
    reported_at = _legal_report_time(actor, reported_at)
    learned_at = learned_at or occurred_at
    for value, attr in ((occurred_at, "occurred_at"), (reported_at, "reported_at")):
        _not_in_future(value, attr)
    _not_in_future(learned_at, "learned_at")
    if learned_at < occurred_at:
        raise ApplicationError(_("learned_at is before occurred_at."), attr="learned_at")
    if reported_at < occurred_at:
        raise ApplicationError(_("reported_at is before occurred_at."), attr="reported_at")
    if lot is not None:
        if product is None:
            product = lot.product
        elif lot.product_id != product.pk:
            raise ApplicationError(_("That lot is not of that product."), attr="lot")
    region, reporter, site = _accident_filer(
        actor, region=region, product=product, reporter=reporter
    )
    deadline, full_due = accident_deadlines(
        category=category, learned_at=learned_at, casualties=deaths + injuries
    )
    accident = Accident(
        category=category,
        region=region,
        occurred_at=occurred_at,
        learned_at=learned_at,
        reported_at=reported_at,
        deadline=deadline,
        late=reported_at > deadline,
        full_report_due=full_due,
        deaths=deaths,
        injuries=injuries,
        property_loss=property_loss,
        product=product,
        lot=lot,
        reporter=reporter,
        description=description,
        site=site,
        filed_by=actor,
    )
    _full_clean(accident, exclude=["filed_by", "accident_no"])
    with transaction.atomic():
        accident.save()
        accident.accident_no = f"ACC-{timezone.localtime(reported_at):%Y}-{accident.pk:06d}"
        accident.save(update_fields=["accident_no"])
        payload = {"category": category.code, "late": accident.late}
        if declared_reported_at is not None and declared_reported_at != reported_at:
            payload["declared_reported_at"] = declared_reported_at.isoformat()
        accident_machine.record_creation(accident, actor=actor, payload=payload)
        _raise_accident_alert(accident)
    return accident


def _raise_accident_alert(accident):
    severity = AlertSeverity.HIGH if accident.deaths else AlertSeverity.MEDIUM
    if accident.late:
        message = gettext_noop(
            "Accident %(accident_no)s (%(category)s): %(deaths)s dead, %(injuries)s injured; "
            "reported late."
        )
    else:
        message = gettext_noop(
            "Accident %(accident_no)s (%(category)s): %(deaths)s dead, %(injuries)s injured."
        )
    alert_raise(
        kind=AlertKind.ACCIDENT_REPORTED,
        dedup_key=f"accident_reported:{accident.pk}",
        message=message,
        message_args={
            "accident_no": accident.accident_no,
            "category": accident.category_id,
            "deaths": accident.deaths,
            "injuries": accident.injuries,
        },
        region=accident.region,
        severity=severity,
        subject=accident,
        payload={
            "accident_no": accident.accident_no,
            "category": accident.category_id,
            "deaths": accident.deaths,
            "injuries": accident.injuries,
            "late": accident.late,
            "product": accident.product_id,
            "lot": accident.lot_id,
        },
    )


def accident_file_full_report(*, accident, actor, full_report):
    """The full report that follows a first report where the category asks for one (§8:
    new-energy vehicle fires, within 48 hours of learning of them). Filed once."""
    text = full_report.strip()
    if not text:
        raise ApplicationError(_("The full report is empty."), attr="full_report")

    def effect(locked):
        locked.full_report = text
        locked.full_reported_at = timezone.now()
        return {"late": locked.full_reported_at > locked.full_report_due}

    return accident_machine.run(accident, "full_report", actor=actor, effect=effect)


def full_report_dedup_key(accident_id):
    return f"deadline_overdue:accident:{accident_id}:full_report"


def accident_sweep_full_reports(now=None):
    """One deadline_overdue alert per accident whose full report is past due and not filed,
    ever: an alert that was resolved is not raised again."""
    now = now or timezone.now()
    overdue = Accident.objects.filter(
        full_report_due__lt=now, full_reported_at__isnull=True
    ).order_by("id")
    raised = 0
    for chunk in batched(overdue.iterator(chunk_size=500), 500):
        keys = {full_report_dedup_key(accident.pk): accident for accident in chunk}
        seen = alert_dedup_keys_raised(keys)
        for key, accident in keys.items():
            if key in seen:
                continue
            with transaction.atomic():
                alert = alert_raise(
                    kind=AlertKind.DEADLINE_OVERDUE,
                    dedup_key=key,
                    message=gettext_noop(
                        "Accident %(accident_no)s (%(category)s): the full report was due %(due)s."
                    ),
                    message_args={
                        "accident_no": accident.accident_no,
                        "category": accident.category_id,
                        "due": timezone.localtime(accident.full_report_due).isoformat(),
                    },
                    region=accident.region,
                    severity=AlertSeverity.HIGH if accident.deaths else AlertSeverity.MEDIUM,
                    subject=accident,
                    payload={
                        "accident_no": accident.accident_no,
                        "stage": "full_report",
                        "due_at": timezone.localtime(accident.full_report_due).isoformat(),
                    },
                )
            raised += alert is not None
    return {"accident_full_reports_overdue": raised}


def accident_open_investigation(*, accident, actor, experts):
    experts = [{"name": e["name"], "field": e["field"]} for e in experts or []]
    if not experts:
        raise ApplicationError(_("An investigation needs at least one expert."), attr="experts")

    def effect(locked):
        locked.experts = experts

    return accident_machine.run(
        accident, "open_investigation", actor=actor, payload={"experts": experts}, effect=effect
    )


def accident_conclude(*, accident, actor, findings, root_cause, measure, measure_note=""):
    if not (findings or "").strip():
        raise ApplicationError(_("A conclusion needs findings."), attr="findings")
    if root_cause not in RootCause.values:
        raise ApplicationError(_("A conclusion needs a root cause."), attr="root_cause")
    payload = {
        "findings": findings,
        "root_cause": root_cause,
        "measure": measure,
        "measure_note": measure_note,
    }

    def effect(locked):
        locked.findings = findings
        locked.root_cause = root_cause
        locked.measure = measure
        locked.measure_note = measure_note
        locked.concluded_at = timezone.now()

    return accident_machine.run(accident, "conclude", actor=actor, payload=payload, effect=effect)


def accident_category_save(*, actor, category=None, **fields):
    """Add a key category (admins) or change one's deadline."""
    category = category or AccidentCategory()
    for name, value in fields.items():
        setattr(category, name, value)
    for amount, unit in (
        ("casualty_deadline_amount", "casualty_deadline_unit"),
        ("full_report_amount", "full_report_unit"),
    ):
        if getattr(category, amount) and not getattr(category, unit):
            raise ApplicationError(_("Give the unit of that deadline."), attr=unit)
    if AccidentCategory.objects.filter(code=category.code).exclude(pk=category.pk).exists():
        raise ApplicationError(
            _("Category “%(code)s” exists.") % {"code": category.code}, attr="code"
        )
    _full_clean(category)
    category.save()
    return category
