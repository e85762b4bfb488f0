"""Demo injury data: sentinel sites in three strata, a year of reports, two accidents."""

import datetime as dt
import random

from django.utils import timezone

from core.choices import Role, SiteKind
from core.demo import SITE_CODE
from core.models import SentinelSite, User

from . import choices
from .models import Accident, InjuryReport
from .services import accident_create

# (code, name, kind, region, stratum, weight); the sentinel demo user's site comes first.
SITES = [
    (SITE_CODE, "朝阳医院 (demo)", SiteKind.HOSPITAL, "110105", "large_hospital", 25),
    ("site-bj-hospital-2", "海淀医院 (demo)", SiteKind.HOSPITAL, "110108", "large_hospital", 28),
    ("site-sh-hospital", "浦东医院 (demo)", SiteKind.HOSPITAL, "310115", "large_hospital", 22),
    ("site-bj-county", "密云区医院 (demo)", SiteKind.HOSPITAL, "110118", "small_hospital", 60),
    ("site-sh-county", "崇明区医院 (demo)", SiteKind.HOSPITAL, "310151", "small_hospital", 55),
    ("site-bj-school", "朝阳某小学 (demo)", SiteKind.SCHOOL, "110105", "community", 140),
    ("site-bj-community", "望京社区 (demo)", SiteKind.COMMUNITY, "110105", "community", 160),
    ("site-sh-community", "陆家嘴社区 (demo)", SiteKind.COMMUNITY, "310115", "community", 150),
]
CASES_PER_SITE = {"large_hospital": 400, "small_hospital": 150, "community": 60}
CATEGORIES = {
    "electric_bicycle": 14,
    "furniture": 12,
    "bicycle": 10,
    "toy": 9,
    "kitchen_knife": 8,
    "electric_kettle": 6,
    "stroller": 4,
    "electric_heater": 4,
    "trampoline": 3,
    "hair_dryer": 2,
}
MECHANISM_BY_CATEGORY = {
    "electric_bicycle": "non_motor_vehicle",
    "bicycle": "non_motor_vehicle",
    "furniture": "fall",
    "stroller": "fall",
    "trampoline": "fall",
    "kitchen_knife": "sharp",
    "electric_kettle": "burn",
    "electric_heater": "burn",
    "hair_dryer": "electric_shock",
    "toy": "suffocation",
}
NATURE_BY_MECHANISM = {
    "non_motor_vehicle": "fracture",
    "fall": "contusion",
    "sharp": "laceration",
    "burn": "burn",
    "electric_shock": "burn",
    "suffocation": "other",
}


def _pick(rng, values):
    return rng.choice(list(values))


def _reports(site, rng, start, days):
    tz = timezone.get_default_timezone()
    for _ in range(CASES_PER_SITE[site.stratum]):
        category = rng.choices(list(CATEGORIES), weights=list(CATEGORIES.values()))[0]
        mechanism = MECHANISM_BY_CATEGORY[category]
        day = start + dt.timedelta(days=rng.randrange(days))
        yield InjuryReport(
            site=site,
            occurred_at=dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tz),
            age=rng.randrange(0, 15) if category in ("toy", "stroller") else rng.randrange(3, 90),
            sex=rng.choice(["male", "female"]),
            place=_pick(rng, ["home", "home", "road", "school", "public_place", "commercial"]),
            activity=_pick(rng, ["leisure", "household", "travel", "sports", "study"]),
            mechanism=mechanism,
            intent=choices.Intent.UNINTENTIONAL,
            nature=NATURE_BY_MECHANISM[mechanism],
            body_part=_pick(rng, choices.BodyPart.values),
            severity=rng.choices(["mild", "moderate", "severe"], weights=[6, 3, 1])[0],
            disposition=rng.choices(
                ["treated_released", "observed", "admitted", "transferred"], weights=[7, 1, 2, 1]
            )[0],
            product_category=category,
            product_relation=_pick(rng, choices.ProductRelation.values),
            weight=site.weight,
        )


def seed():
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    rng = random.Random(6)
    for code, name, kind, region, stratum, weight in SITES:
        site, _ = SentinelSite.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region": region,
                "stratum": stratum,
                "weight": weight,
                "active_from": start - dt.timedelta(days=30),
            },
        )
        if not InjuryReport.objects.filter(site=site).exists():
            InjuryReport.objects.bulk_create(_reports(site, rng, start, 365), batch_size=1000)

    admin = User.objects.filter(role=Role.ADMIN).first()
    accidents = [
        {
            "category": "electric_bicycle",
            "occurred_at": timezone.now() - dt.timedelta(days=20, hours=3),
            "reported_at": timezone.now() - dt.timedelta(days=19),
            "region": "110105",
            "deaths": 1,
            "injuries": 2,
            "property_loss": 80000,
            "reporter": choices.Reporter.REGULATOR,
            "description": "（演示）电动自行车电池在楼道充电时起火。",
        },
        {
            "category": "children_product",
            "occurred_at": timezone.now() - dt.timedelta(days=5),
            "reported_at": timezone.now() - dt.timedelta(days=1),
            "region": "310115",
            "injuries": 1,
            "reporter": choices.Reporter.CONSUMER,
            "description": "（演示）儿童滑板车折叠机构夹伤手指。",
        },
    ]
    for fields in accidents:
        if not Accident.objects.filter(description=fields["description"]).exists():
            accident_create(actor=admin, **fields)
    return []
