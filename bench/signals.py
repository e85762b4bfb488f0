"""Benchmark of the `detect_injury_signals` job (issue 7: 1,000,000 reports and 500
categories in under 30 s and under 300 MB).

`python -m bench.signals --scale N` loads N injury reports (COPY) into DATABASE_URL's
database, spread over 500 product categories (fewer at small scales), 60 sentinel sites in
six provinces, ten injury natures and ten body parts, all within the 28 days the job looks
at (its worst case: every report falls in the PRR window), with spikes planted on the
evaluated day for a few categories; then runs the job once in a fresh child process.

Figures: `signal_job_s` (wall time of the job in the child) and `signal_job_peak_mb` (the
child's peak resident set, VmHWM, Django included), plus the alerts it raised.
A second run at the same scale reuses the loaded reports.
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time

CATEGORY_PREFIX = "bsig_"
SITE_PREFIX = "bench-sig-"
PROVINCES = ["110105", "310115", "320102", "330106", "440305", "510104"]
NATURES = [
    "fracture",
    "sprain",
    "laceration",
    "contusion",
    "burn",
    "concussion",
    "internal",
    "poisoning",
    "amputation",
    "other",
]
BODY_PARTS = ["head", "face", "neck", "trunk", "arm", "hand", "leg", "foot", "multiple", "other"]
WINDOW_DAYS = 28
SPIKES = 5
COLUMNS = [
    "site_id",
    "occurred_at",
    "age",
    "sex",
    "place",
    "activity",
    "mechanism",
    "intent",
    "nature",
    "body_part",
    "severity",
    "disposition",
    "product_category",
    "product_relation",
    "narrative",
    "weight",
    "created_at",
]


def evaluated_day():
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)


def _sites():
    from core.models import SentinelSite

    sites = []
    for i in range(60):
        site, _ = SentinelSite.objects.get_or_create(
            code=f"{SITE_PREFIX}{i:03d}",
            defaults={"name": f"Bench site {i}", "region": PROVINCES[i % len(PROVINCES)]},
        )
        sites.append(site.pk)
    return sites


def generate(scale, seed=11):
    """Load `scale` reports unless exactly that many are there already."""
    from django.db import connection, transaction
    from django.utils import timezone

    from injury.models import InjuryReport

    ours = InjuryReport.objects.filter(product_category__startswith=CATEGORY_PREFIX)
    if ours.count() == scale:
        return False
    with connection.cursor() as cursor:  # QuerySet.delete() would load every row first
        cursor.execute(
            "DELETE FROM injury_injuryreport WHERE product_category LIKE %s",
            [CATEGORY_PREFIX.replace("_", r"\_") + "%"],
        )
    rng = random.Random(seed)
    sites = _sites()
    categories = [f"{CATEGORY_PREFIX}{i:03d}" for i in range(min(500, max(scale // 200, 10)))]
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(categories))]  # a few common ones
    tz = timezone.get_current_timezone()
    day = evaluated_day()
    start = dt.datetime.combine(day - dt.timedelta(days=WINDOW_DAYS - 1), dt.time.min, tzinfo=tz)
    span = WINDOW_DAYS * 86400
    spike_at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
    spiked = categories[len(categories) // 2 : len(categories) // 2 + SPIKES]
    # The spikes are part of `scale`: the first rows go to the spiked categories.
    spike_rows = min(40 * len(spiked), scale // 10)
    now = timezone.now()

    def rows():
        picks = rng.choices(categories, weights=weights, k=scale)
        for i, category in enumerate(picks):
            if i < spike_rows:
                category, at = spiked[i % len(spiked)], spike_at
            else:
                at = start + dt.timedelta(seconds=rng.randrange(span))
            yield (
                rng.choice(sites),
                at,
                rng.randrange(1, 90),
                rng.choice(("male", "female")),
                "home",
                "leisure",
                "fall",
                "unintentional",
                rng.choice(NATURES),
                rng.choice(BODY_PARTS),
                "mild",
                "treated_released",
                category,
                "uncertain",
                "",
                1,
                now,
            )

    connection.ensure_connection()
    copy_sql = f"COPY injury_injuryreport ({', '.join(COLUMNS)}) FROM STDIN"
    with (
        transaction.atomic(),
        connection.connection.cursor() as cur,
        cur.copy(copy_sql) as copy,
    ):
        for row in rows():
            copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE injury_injuryreport")
    return True


def run_job_child():
    """Child mode: run the job once on a fresh process and print its figures."""
    from core.models import Alert
    from risk.jobs import detect_injury_signals

    Alert.objects.filter(
        kind="injury_signal", payload__category__startswith=CATEGORY_PREFIX
    ).delete()
    started = time.perf_counter()
    result = detect_injury_signals(as_of=evaluated_day())
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "peak_mb": _peak_mb(), **result}), flush=True)


def _peak_mb():
    """This process's peak resident set (VmHWM). Not the parent's wait4() figure: Linux
    carries the parent's high-water mark into a child's ru_maxrss across fork and exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(scale: int) -> dict[str, float]:
    generate(scale)
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.signals", "--child"],
        stdout=subprocess.PIPE,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    output, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"signal job child failed: {output[-2000:]!r}")
    figures = json.loads(output.decode().strip().splitlines()[-1])
    return {
        "signal_job_s": round(figures["seconds"], 3),
        "signal_job_peak_mb": round(figures["peak_mb"], 1),
        "signal_reports": scale,
        "signal_ears_raised": figures["ears_raised"],
        "signal_weekly_raised": figures["weekly_raised"],
        "signal_prr_raised": figures["prr_raised"],
    }


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_job_child()
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for key, value in run(args.scale).items():
        print(f"{key}: {value}", flush=True)


if __name__ == "__main__":
    main()
