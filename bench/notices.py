"""Notice fan-out (DESIGN.md §7, §9): a non-conforming lot shipped to 1,000 holders, each
subscribed with a webhook receiver of its own (bench/receivers.py: real HTTP servers on
loopback), one Celery worker, the API under gunicorn.

    python -m bench.notices [--holders 1000]   (against DATABASE_URL and REDIS_URL)

Figures: `notice_dispose_s`, the `dispose` request (take_down) as the client sees it
(target < 2 s); `notice_fanout_s`, from the dispose response to the last signed webhook
received (target < 60 s); `notice_holders`, the holders that received their own notice
with a valid signature (every one of them, or the bench fails).
"""

import argparse
import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.server import ROOT, free_port, start_server, stop_server

TIMEOUT_S = 180


def _uscc(serial):
    from stdnum.cn import uscc

    body = f"91110105{serial:09d}"
    return body + uscc.calc_check_digit(body)


def _world(holders, ports, prefix):
    """A producer, its lot shipped to `holders` parties (half confirm receipt), each
    subscribed at its own port; a non-conforming sample of the lot ready to dispose.
    Returns (sample id, {uscc: receiver index}, the regulator's token)."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from core.models import AlertSubscription, Lab
    from core.services import user_upsert
    from sampling import services as sampling
    from sampling.models import Sample, Task
    from traceability.models import Event, EventLot, Lot, Party, Product

    run = uuid.uuid4().hex[:8]
    base = 100_000_000 + Party.objects.filter(name__startswith="Bench ").count()
    producer = Party.objects.create(
        uscc=_uscc(base), name=f"Bench producer {run}", kind="producer", region="110105"
    )
    parties = Party.objects.bulk_create(
        Party(
            uscc=_uscc(base + 1 + i),
            name=f"Bench holder {run}-{i:04d}",
            kind="retailer",
            region="110105",
        )
        for i in range(holders)
    )
    product = Product.objects.create(
        producer=producer, name="电热水壶", brand="Bench", model=f"NF-{run}", category="toy"
    )
    lot = Lot.objects.create(product=product, lot_code=f"NF-{run}", quantity=holders * 10)
    occurred = timezone.now() - dt.timedelta(days=5)
    events = [
        Event(event_id=f"nf-{run}-c", kind="commission", occurred_at=occurred, party=producer)
    ]
    for i, party in enumerate(parties):
        route = {"source": producer, "destination": party}
        events.append(
            Event(
                event_id=f"nf-{run}-s{i}",
                kind="ship",
                occurred_at=occurred,
                party=producer,
                **route,
            )
        )
        if i % 2 == 0:
            events.append(
                Event(
                    event_id=f"nf-{run}-r{i}",
                    kind="receive",
                    occurred_at=occurred,
                    party=party,
                    **route,
                )
            )
    events = Event.objects.bulk_create(events)
    EventLot.objects.bulk_create(
        EventLot(
            event=e, lot=lot, quantity=holders * 10 if e.kind == "commission" else 10, role="lot"
        )
        for e in events
    )
    AlertSubscription.objects.bulk_create(
        AlertSubscription(
            url=f"http://127.0.0.1:{port}/hook",
            secret=f"{prefix}-{index}",
            kinds=["notice"],
            party_uscc=party.uscc,
        )
        for index, (party, port) in enumerate(zip(parties, ports, strict=True))
    )

    lab = Lab.objects.get_or_create(code="bench-lab", defaults={"name": "Bench lab"})[0]
    admin = user_upsert(username="bench_admin", role="admin")
    inspector = user_upsert(username="bench_inspector", role="inspector", region="110105")
    regulator = user_upsert(username="bench_regulator", role="regulator", region="110000")
    today = timezone.localdate()
    task = Task.objects.create(
        code=f"bench-notices-{run}",
        title="Bench notices",
        level="county",
        region="110105",
        category="toy",
        lab=lab,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
    sample = sampling.sample_create(
        actor=inspector,
        task=task,
        sampled_party=parties[0],
        producer=producer,
        lot=lot,
        location_kind="retail",
        quantity=4,
        backup_quantity=4,
        sampled_at=timezone.now() - dt.timedelta(hours=3),
        inspectors=["张三", "李四"],
    )
    sample = sampling.sample_receive(sample=sample, actor=admin)
    items = [{"item": "跌落 drop", "standard": "GB 6675", "verdict": "fail"}]
    sample = sampling.sample_record_results(
        sample=sample, actor=admin, items=items, conclusion="nonconforming"
    )
    sample = sampling.sample_issue_report(sample=sample, actor=admin, report_no=f"NF-{run}")
    sample = sampling.sample_notify(sample=sample, actor=admin)
    Sample.objects.filter(pk=sample.pk).update(notified_at=timezone.now() - dt.timedelta(days=16))
    usccs = {party.uscc: index for index, party in enumerate(parties)}
    return sample.pk, usccs, str(RefreshToken.for_user(regulator).access_token)


def _start_worker():
    from config.celery import app

    app.control.purge()  # messages left by an earlier run point at rows of another world
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_worker(seconds=60):
    from config.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    raise RuntimeError("the Celery worker did not start")


def run(scale=None, holders=1000):
    prefix = uuid.uuid4().hex
    receivers = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.receivers",
            "--count",
            str(holders),
            "--secret-prefix",
            prefix,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    worker = server = None
    try:
        ports = json.loads(receivers.stdout.readline())
        sample_id, usccs, token = _world(holders, ports, prefix)
        port = free_port()
        server = start_server(port, workers=2)
        worker = _start_worker()
        _wait_for_worker()

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps({"measures": [{"measure": "take_down"}]})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for _ in range(4):  # warm both gunicorn workers up (imports, connections)
            conn.request("GET", f"/api/v1/sampling/samples/{sample_id}/", headers=headers)
            conn.getresponse().read()
        started = time.time()
        conn.request("POST", f"/api/v1/sampling/samples/{sample_id}/dispose/", body, headers)
        response = conn.getresponse()
        response.read()
        answered = time.time()
        if response.status != 200:
            raise RuntimeError(f"dispose answered {response.status}")

        own, last, bad = set(), answered, 0
        deadline = time.monotonic() + TIMEOUT_S
        while len(own) < holders and time.monotonic() < deadline:
            line = receivers.stdout.readline()
            verdict, index, at, uscc = line.split()
            if verdict == "ok" and usccs.get(uscc) == int(index):
                own.add(int(index))
                last = max(last, float(at))
            else:
                bad += 1
        if len(own) < holders or bad:
            raise RuntimeError(f"{len(own)} of {holders} holders got their notice; {bad} bad")
        return {
            "notice_holders": len(own),
            "notice_dispose_s": answered - started,
            "notice_fanout_s": last - answered,
        }
    finally:
        for process in (worker, receivers):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        if server is not None:
            stop_server(server)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=1000)
    args = parser.parse_args()
    for key, value in run(holders=args.holders).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
