"""National injury estimates over `scale` injury reports, grouped by product category
(DESIGN.md §8; target: under 500 ms at 1,000,000 reports).

The reports (a year of them, at 120 sentinel sites in 6 strata, 40 product categories)
are loaded with COPY into the bench database, once per scale. Figures:
- estimates_ms: median time of the nationwide estimates query (the selector: one SQL
  statement), as an admin sees it
- estimates_api_ms: the same through GET /api/v1/injury/estimates/ and the whole stack
- estimates_region_ms: the same, limited to the bench sites' province (?region=)
- estimates_weekly_ms: the weekly time series over the same year
- load_s: time to COPY the reports (0 when the data was already there)

Alone: python -m bench.estimates --scale 100000 (database: levee_bench on DATABASE_URL's
server, created and migrated if need be).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

REGION = "540000"  # the bench sites' province
SITES_PER_STRATUM = 20
STRATA = {"very_large": 12, "large": 25, "medium": 45, "small": 80, "children": 60, "rural": 150}
CATEGORIES = [f"category_{i:02d}" for i in range(40)]
YEAR = 2025
RUNS = 7


def _sites():
    from core.models import SentinelSite

    sites = []
    for s, (stratum, weight) in enumerate(STRATA.items()):
        for i in range(SITES_PER_STRATUM):
            site, _ = SentinelSite.objects.update_or_create(
                code=f"bench-{stratum}-{i:02d}",
                defaults={
                    "name": f"Bench site {stratum} {i}",
                    "region": f"54{s + 1:02d}{i + 1:02d}",
                    "stratum": f"bench_{stratum}",
                    "weight": weight,
                },
            )
            sites.append(site)
    return sites


def _columns(rng, sites, scale):
    """Each column drawn at once (random.choices with k) rather than row by row."""
    start = dt.datetime(YEAR, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    seconds = 365 * 86400
    # Bigger hospitals see more cases: draw sites by the inverse of their weight.
    picked = rng.choices(sites, weights=[1 / float(s.weight) for s in sites], k=scale)
    zipf = [1 / (rank + 1) for rank in range(len(CATEGORIES))]
    return zip(
        (s.pk for s in picked),
        (start + dt.timedelta(seconds=rng.randrange(seconds)) for _ in range(scale)),
        rng.choices(range(0, 95), k=scale),
        rng.choices(["male", "female", "unknown"], weights=[52, 47, 1], k=scale),
        rng.choices(["fall", "sharp", "burn", "blunt", "non_motor_vehicle", "other"], k=scale),
        rng.choices(["head", "face", "arm", "hand", "leg", "foot", "trunk"], k=scale),
        rng.choices(CATEGORIES, weights=zipf, k=scale),
        (s.weight for s in picked),
        strict=True,
    )


def load(scale):
    """Fill the bench sites with `scale` reports, unless they hold exactly that many."""
    from django.db import connection

    from core.models import SentinelSite
    from injury.models import InjuryReport

    sites = _sites()
    site_ids = [s.pk for s in sites]
    if InjuryReport.objects.filter(site_id__in=site_ids).count() == scale:
        return 0.0
    started = time.perf_counter()
    InjuryReport.objects.filter(site_id__in=site_ids).delete()
    rng = random.Random(2025)
    now = dt.datetime.now(dt.UTC)
    columns = (
        "site_id, occurred_at, age, sex, place, activity, mechanism, intent, nature, "
        "body_part, severity, disposition, product_category, product_relation, narrative, "
        "weight, created_at"
    )
    connection.ensure_connection()
    sql = f"COPY {InjuryReport._meta.db_table} ({columns}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for site_id, at, age, sex, mechanism, body_part, category, weight in _columns(
            rng, sites, scale
        ):
            copy.write_row(
                (
                    site_id,
                    at,
                    age,
                    sex,
                    "home",
                    "leisure",
                    mechanism,
                    "unintentional",
                    "other",
                    body_part,
                    "mild",
                    "treated_released",
                    category,
                    "uncertain",
                    "",
                    weight,
                    now,
                )
            )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {InjuryReport._meta.db_table}")
        cursor.execute(f"ANALYZE {SentinelSite._meta.db_table}")
    return time.perf_counter() - started


def _median_ms(func):
    func()  # warm the caches
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        func()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(scale: int) -> dict[str, float]:
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from core.choices import Role
    from core.models import User
    from injury.selectors import injury_estimates

    load_s = load(scale)
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMIN, "is_staff": True}
    )
    date_from, date_to = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)

    def estimates(interval=None, region=""):
        rows = injury_estimates(
            user=admin,
            group_by="product_category",
            date_from=date_from,
            date_to=date_to,
            interval=interval,
            region=region,
        )
        assert interval or sum(r["cases"] for r in rows) >= scale, "lost reports"
        return rows

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(admin).access_token}")
    params = {"group_by": "product_category", "from": date_from, "to": date_to}

    def api():
        response = client.get("/api/v1/injury/estimates/", params)
        assert response.status_code == 200, response.content[:500]

    return {
        "reports": scale,
        "load_s": round(load_s, 3),
        "estimates_ms": _median_ms(estimates),
        "estimates_api_ms": _median_ms(api),
        "estimates_region_ms": _median_ms(lambda: estimates(region=REGION)),
        "estimates_weekly_ms": _median_ms(lambda: estimates("week")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1_000_000)
    args = parser.parse_args()
    from bench.run import bench_database_url, ensure_database

    url = bench_database_url()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    for key, value in run(args.scale).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
