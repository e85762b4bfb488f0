"""Sample creation under concurrent clients (DESIGN.md §9): gunicorn on a loopback port
against PostgreSQL, 16 clients each filing samples over keep-alive connections, and the
same clients against the framework floor (bench/floor.py) on the same server.

    python -m bench.samples --scale N     (against DATABASE_URL; use a database of its own)

Each sample names a product model of its own (found-or-created, with its lot, and checked
against the no-repeat rule), as an inspector in the field would file it. Figures:
`sample_create_per_s` (created samples per second of wall time) and
`sample_create_p99_ms` (99th percentile of the request latency seen by the clients);
`floor_create_per_s` and `floor_create_p99_ms`, the same for a minimal authenticated DRF
endpoint inserting one row; `sample_create_ratio` = samples/s ÷ floor/s (target ≥ 0.5)
and `sample_create_p99_ratio` = sample p99 ÷ floor p99 (target ≤ 2).

On two shared cores both runs are bound by CPU, not by waiting (sampling pg_stat_activity
and pg_locks during a run finds no lock waits), so the ratio is the ratio of what a request
costs. Each run also prints that cost, less noisy than a rate on a shared machine:
`*_worker_cpu_ms` (gunicorn workers' CPU per created row), `*_db_cpu_ms` (the PostgreSQL
backends' of this database) and `*_machine_busy_pct` (how busy both cores were, other
processes included), from /proc.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import threading
import time
from pathlib import Path

from bench.server import free_port, start_server, stop_server, worker_pids

CLIENTS = 16
TIME_LIMIT_S = 60


def _setup():
    """The bench's own task, inspector and parties (idempotent); returns the token and
    each client's request body."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken
    from stdnum.cn import uscc

    from core.models import Lab
    from core.services import user_upsert
    from sampling.models import Task
    from traceability.models import Party

    lab = Lab.objects.get_or_create(code="bench-lab", defaults={"name": "Bench lab"})[0]
    inspector = user_upsert(username="bench_inspector", role="inspector", region="110105")
    parties = []
    for serial in range(900000, 900000 + CLIENTS + 1):
        code = f"91110105{serial:09d}"
        parties.append(
            Party.objects.get_or_create(
                uscc=code + uscc.calc_check_digit(code),
                defaults={"name": f"Bench party {serial}", "kind": "producer", "region": "110105"},
            )[0]
        )
    today = timezone.localdate()
    task = Task.objects.update_or_create(
        code="bench-task",
        defaults={
            "title": "Bench spot check",
            "level": "county",
            "region": "110105",
            "category": "electric_kettle",
            "lab": lab,
            "starts_on": today - dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=30),
        },
    )[0]
    body = {
        "task": task.pk,
        "sampled_party": parties[0].pk,
        "product_name": "电热水壶",
        "brand": "Bench",
        "lot_code": "B1",
        "location_kind": "retail",
        "quantity": "4",
        "backup_quantity": "4",
        "sampled_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "inspectors": ["张三", "李四"],
    }
    # Each client files the products of a producer of its own.
    bodies = [{**body, "producer": party.pk} for party in parties[1:]]
    return str(RefreshToken.for_user(inspector).access_token), bodies


SAMPLES_URL = "/api/v1/sampling/samples/"
FLOOR_URL = "/bench/floor/"


def _client(port, url, token, body, prefix, count, stop_at, latencies, failures):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for n in range(count):
        if time.monotonic() > stop_at:
            break
        payload = json.dumps({**body, "model": f"{prefix}-{n}", "label": f"{prefix}-{n}"})
        started = time.perf_counter()
        conn.request("POST", url, payload, headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status == 201:
            latencies.append(elapsed)
        else:
            failures.append(response.status)


def _burst(port, url, token, bodies, run_id, per_client, time_limit):
    latencies, failures = [], []
    stop_at = time.monotonic() + time_limit
    threads = [
        threading.Thread(
            target=_client,
            args=(
                port,
                url,
                token,
                bodies[i],
                f"{run_id}-{i}",
                per_client,
                stop_at,
                latencies,
                failures,
            ),
        )
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started


def _cpu_ticks(pid):
    """User + system CPU of `pid` in clock ticks (0 once it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()  # fields after the command name, from field 3
    return int(fields[11]) + int(fields[12])


def _busy_ticks():
    """The machine's non-idle CPU ticks, all cores (the first line of /proc/stat)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def _db_backends():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _measure(server, port, url, token, bodies, run_id, total):
    _burst(port, url, token, bodies, f"w{run_id}", 20, 30)  # warm every worker up
    workers, backends = worker_pids(server), _db_backends()
    before = {pid: _cpu_ticks(pid) for pid in workers + backends}
    busy_before = _busy_ticks()
    latencies, failures, wall = _burst(
        port, url, token, bodies, run_id, total // CLIENTS, TIME_LIMIT_S
    )
    busy_after = _busy_ticks()
    backends = set(backends) | set(_db_backends())  # a backend opened during the run counts

    def cpu_ms_per_row(pids):
        ticks = sum(_cpu_ticks(pid) - before.get(pid, 0) for pid in pids)
        return ticks / os.sysconf("SC_CLK_TCK") * 1000 / max(1, len(latencies))

    if failures:
        raise RuntimeError(f"{len(failures)} requests to {url} failed: {sorted(set(failures))}")
    latencies.sort()
    return {
        "per_s": len(latencies) / wall,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "count": float(len(latencies)),
        "worker_cpu_ms": cpu_ms_per_row(workers),
        "db_cpu_ms": cpu_ms_per_row(backends),
        "machine_busy_pct": 100
        * (busy_after[0] - busy_before[0])
        / max(1, busy_after[1] - busy_before[1]),
    }


def run(scale: int) -> dict[str, float]:
    from bench.floor import ensure_table

    # Enough samples for a steady rate, bounded in count and time.
    total = min(max(scale // 200, 2000), 12000)
    token, bodies = _setup()
    ensure_table()
    port = free_port()
    server = start_server(port, env={"LEVEE_ROOT_URLCONF": "bench.floor"})
    run_id = f"{time.time_ns():x}"
    try:
        floor = _measure(server, port, FLOOR_URL, token, bodies, f"f{run_id}", total)
        samples = _measure(server, port, SAMPLES_URL, token, bodies, run_id, total)
    finally:
        stop_server(server)
    return {
        **{f"sample_create_{key}": value for key, value in samples.items()},
        **{f"floor_create_{key}": value for key, value in floor.items()},
        "sample_create_ratio": samples["per_s"] / floor["per_s"],
        "sample_create_p99_ratio": samples["p99_ms"] / floor["p99_ms"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=400_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    for key, value in run(args.scale).items():
        print(f"{key}: {value:.3f}")


if __name__ == "__main__":
    main()
