"""Mixed load against gunicorn, PostgreSQL and Redis (issue 8), on loopback only.

    python -m bench.load --seconds 180 --clients 16 [--scale 20000] [--max-requests N]

Sets up a database of its own (LOAD_DATABASE_URL, default: DATABASE_URL's server with the
database `levee_load`): creates it, migrates, runs `seed_demo`, adds a supply-chain graph
of about `--scale` events (bench.generate) and a task for the load. Then starts gunicorn
on a free 127.0.0.1 port and runs the demo users' work at once, each client a thread on a
connection of its own, until `--seconds` pass or `--max-requests` are sent:
- inspectors file samples (`POST sampling/samples/`, with an Idempotency-Key);
- labs receive the filed samples and record their results (one in ten nonconforming,
  which raises an alert);
- sentinels file injury reports;
- regulators list samples and trace lots of their region.

Prints `name: value` lines: per operation and overall the requests, throughput, p50/p95/
p99 latency and errors (responses other than the operation's expected status, and
transport failures), and the total RSS of the gunicorn workers (read from /proc every
second) after warm-up, half-way, at the end and at its peak: growth that stops between
half-way and the end is warm-up, not a leak.
"""

import argparse
import datetime as dt
import http.client
import io
import json
import os
import queue
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from urllib.parse import urlsplit, urlunsplit

from bench.server import free_port, rss_mb, start_server, stop_server, worker_pids

ROLES = ("inspector", "lab", "regulator", "sentinel")
OPERATIONS = {
    # name: (method, expected status)
    "sample_create": ("POST", 201),
    "sample_receive": ("POST", 200),
    "sample_record_results": ("POST", 200),
    "injury_report_create": ("POST", 201),
    "sample_list": ("GET", 200),
    "lot_trace": ("GET", 200),
}
TRACE_LOTS = 500
# What a regulator's desk asks for: the newest samples, by stage, by conclusion, overdue.
SAMPLE_QUERIES = [
    "",
    "&state=sampled",
    "&state=received&state=tested",
    "&conclusion=nonconforming",
    "&overdue=true",
    "&task_code=load-task&category=electric_kettle",
]
ITEMS_PASS = [
    {"item": "标志和说明 marking", "standard": "GB 4706.1-2005 7", "verdict": "pass"},
    {
        "item": "泄漏电流 leakage current",
        "standard": "GB 4706.1-2005 13.2",
        "requirement": "<= 0.75 mA",
        "measured_value": "0.21",
        "unit": "mA",
        "verdict": "pass",
    },
]
ITEMS_FAIL = [{**ITEMS_PASS[0]}, {**ITEMS_PASS[1], "measured_value": "1.31", "verdict": "fail"}]
INJURY_CODES = {
    "sex": ["male", "female", "unknown"],
    "place": ["home", "school", "public_place", "road", "commercial"],
    "activity": ["leisure", "sports", "household", "travel"],
    "mechanism": ["fall", "burn", "sharp", "electric_shock", "blunt"],
    "intent": ["unintentional"],
    "nature": ["fracture", "sprain", "laceration", "contusion", "burn"],
    "body_part": ["head", "face", "arm", "hand", "leg", "foot"],
    "severity": ["mild", "moderate", "severe"],
    "disposition": ["treated_released", "observed", "admitted"],
    "product_category": ["electric_kettle", "electric_bicycle", "toy", "electric_heater"],
    "product_relation": ["product_quality", "normal_use_accident", "misuse", "uncertain"],
}


def load_database_url():
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/levee")
    return urlunsplit(urlsplit(base)._replace(path="/levee_load"))


def setup(scale):
    """Migrate, seed the demo, add the trace graph and the load's task and parties.
    Returns what the clients need (ids only: the clients never touch the database)."""
    from django.core.management import call_command
    from django.utils import timezone
    from stdnum.cn import uscc

    from bench.generate import generate
    from core.demo import CHAOYANG, LAB_CODE, SITE_CODE
    from core.models import Lab, User
    from sampling.models import Task
    from traceability.models import Lot, Party

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    ds = generate(scale)

    parties = []
    for serial, kind in ((800001, "retailer"), (800002, "producer")):
        code = f"91{CHAOYANG}{serial:09d}"
        parties.append(
            Party.objects.get_or_create(
                uscc=code + uscc.calc_check_digit(code),
                defaults={"name": f"Load {kind} {serial}", "kind": kind, "region": CHAOYANG},
            )[0]
        )
    today = timezone.localdate()
    task = Task.objects.update_or_create(
        code="load-task",
        defaults={
            "title": "Load test spot check",
            "level": "county",
            "mode": "standard",
            "region": CHAOYANG,
            "category": "electric_kettle",
            "lab": Lab.objects.get(code=LAB_CODE),
            "starts_on": today - dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=30),
        },
    )[0]
    regulator = User.objects.get(username="regulator")
    lots = Lot.objects.restrict(regulator).filter(pk__in=ds.raw_lots + ds.product_lots)
    product_lots = set(ds.product_lots)
    traces = [
        (pk, "backward" if pk in product_lots else "forward")
        for pk in lots.order_by("?").values_list("pk", flat=True)[:TRACE_LOTS]
    ]
    if not traces:
        raise RuntimeError("no lot of the graph is in the demo regulator's region")
    return {
        "task": task.pk,
        "sampled_party": parties[0].pk,
        "producer": parties[1].pk,
        "site": SITE_CODE,
        "traces": traces,
    }


def login(port, username):
    from core.demo import password_for

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": password_for(username)})
    conn.request("POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise RuntimeError(f"login {username}: {response.status} {data}")
    return data["access"]


class Run:
    """Shared state of one run: the deadline, the request budget, the results, and the
    samples the inspectors filed and the labs have yet to handle."""

    def __init__(self, port, tokens, data, seconds, max_requests):
        self.port, self.tokens, self.data = port, tokens, data
        self.stop_at = time.monotonic() + seconds
        self.budget = max_requests
        self.filed = queue.Queue()
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.lock = threading.Lock()

    def more(self):
        with self.lock:
            if self.budget <= 0 or time.monotonic() >= self.stop_at:
                return False
            self.budget -= 1
            return True

    def record(self, name, status, elapsed):
        with self.lock:
            self.latencies[name].append(elapsed)
            self.statuses[name][status] += 1


class Client:
    def __init__(self, run, role, seed):
        self.run, self.role = run, role
        self.rng = random.Random(seed)
        self.conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=30)
        self.headers = {
            "Authorization": f"Bearer {run.tokens[role]}",
            "Content-Type": "application/json",
        }

    def call(self, name, path, body=None, headers=None):
        """One request; returns the decoded body when the status is the expected one."""
        method, expected = OPERATIONS[name]
        payload = None if body is None else json.dumps(body)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, payload, {**self.headers, **(headers or {})})
            response = self.conn.getresponse()
            content = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()  # reconnects on the next request
            status, content = exc.__class__.__name__, b""
        self.run.record(name, status, time.perf_counter() - started)
        return json.loads(content) if status == expected else None

    def loop(self):
        step = getattr(self, self.role)
        while step():
            pass

    def inspector(self):
        if not self.run.more():
            return False
        data = self.run.data
        body = {
            "task": data["task"],
            "sampled_party": data["sampled_party"],
            "producer": data["producer"],
            "product_name": "电热水壶",
            "brand": "Load",
            # A model of its own per sample: the no-repeat rule refuses a second one.
            "model": f"L-{uuid.uuid4().hex[:16]}",
            "lot_code": f"B{self.rng.randrange(1000)}",
            "location_kind": self.rng.choice(["retail", "wholesale", "production"]),
            "quantity": "4",
            "backup_quantity": "4",
            "price_paid": "59.00",
            "sampled_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
            "inspectors": ["张三 110105-01", "李四 110105-02"],
        }
        key = {"Idempotency-Key": uuid.uuid4().hex}
        sample = self.call("sample_create", "/api/v1/sampling/samples/", body, key)
        if sample:
            self.run.filed.put(sample["id"])
        return True

    def lab(self):
        try:
            sample = self.run.filed.get(timeout=0.2)
        except queue.Empty:
            return time.monotonic() < self.run.stop_at and self.run.budget > 0
        if not self.run.more():
            return False
        base = f"/api/v1/sampling/samples/{sample}"
        if self.call("sample_receive", f"{base}/receive/", {"seal_intact": True}) is None:
            return True
        if not self.run.more():
            return False
        failing = self.rng.random() < 0.1
        body = {
            "items": ITEMS_FAIL if failing else ITEMS_PASS,
            "conclusion": "nonconforming" if failing else "conforming",
        }
        self.call("sample_record_results", f"{base}/record_results/", body)
        return True

    def regulator(self):
        if not self.run.more():
            return False
        if self.rng.random() < 0.5:
            query = self.rng.choice(SAMPLE_QUERIES)
            self.call("sample_list", f"/api/v1/sampling/samples/?page_size=50{query}")
        else:
            lot, direction = self.rng.choice(self.run.data["traces"])
            path = f"/api/v1/traceability/lots/{lot}/trace/?direction={direction}"
            self.call("lot_trace", path)
        return True

    def sentinel(self):
        if not self.run.more():
            return False
        occurred = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=self.rng.randrange(30 * 1440))
        body = {code: self.rng.choice(values) for code, values in INJURY_CODES.items()}
        body.update(
            site=self.run.data["site"],
            occurred_at=occurred.isoformat(),
            age=self.rng.randrange(1, 90),
            narrative="Load test report.",
        )
        self.call("injury_report_create", "/api/v1/injury/reports/", body)
        return True


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def summarise(name, latencies, errors, wall):
    ordered = sorted(latencies)
    figures = {
        f"{name}_requests": float(len(ordered)),
        f"{name}_per_s": len(ordered) / wall,
        f"{name}_errors": float(errors),
    }
    if ordered:
        figures.update(
            {
                f"{name}_p50_ms": percentile(ordered, 0.50),
                f"{name}_p95_ms": percentile(ordered, 0.95),
                f"{name}_p99_ms": percentile(ordered, 0.99),
            }
        )
    return figures


def run(seconds=180, clients=16, scale=20_000, max_requests=500_000, workers=None):
    data = setup(scale)
    port = free_port()
    server = start_server(port, workers=workers)
    try:
        tokens = {role: login(port, role) for role in ROLES}
        # Warm every worker up (imports, connections) before the first RSS reading.
        warm = Run(port, tokens, data, 10, 20 * len(ROLES))
        threads = [
            threading.Thread(target=Client(warm, role, i).loop) for i, role in enumerate(ROLES * 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pids = worker_pids(server)
        rss_start = rss_mb(pids)
        readings = [rss_start]
        done = threading.Event()

        def watch():
            while not done.wait(1.0):
                readings.append(rss_mb(worker_pids(server)))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        load = Run(port, tokens, data, seconds, max_requests)
        threads = [
            threading.Thread(target=Client(load, ROLES[i % len(ROLES)], 1000 + i).loop)
            for i in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        end_pids = worker_pids(server)
        rss_end = rss_mb(end_pids)
        readings.append(rss_end)
    finally:
        stop_server(server)

    figures = {
        "load_seconds": wall,
        "load_clients": float(clients),
        "load_gunicorn_workers": float(len(end_pids)),
        "load_worker_restarts": float(len(set(end_pids) - set(pids))),
    }
    unexpected = {
        f"{name}:{status}": n
        for name, (_, expected) in OPERATIONS.items()
        for status, n in load.statuses[name].items()
        if status != expected
    }
    everything = []
    for name in OPERATIONS:
        errors = sum(n for key, n in unexpected.items() if key.startswith(f"{name}:"))
        figures.update(summarise(name, load.latencies[name], errors, wall))
        everything += load.latencies[name]
    figures.update(summarise("overall", everything, sum(unexpected.values()), wall))
    figures.update(
        {
            "rss_start_mb": rss_start,
            "rss_half_mb": readings[len(readings) // 2],
            "rss_end_mb": rss_end,
            "rss_peak_mb": max(readings),
        }
    )
    return figures, unexpected


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--scale", type=int, default=20_000, help="events in the trace graph")
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    args = parser.parse_args()
    if args.clients < len(ROLES):
        parser.error(f"--clients must be at least {len(ROLES)} (one per role)")

    from bench.run import ensure_database

    url = load_database_url()
    ensure_database(url)
    # The server inherits the environment: it and this process use the load's database.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    figures, unexpected = run(
        args.seconds, args.clients, args.scale, args.max_requests, args.workers
    )
    for key, value in figures.items():
        print(f"{key}: {value:.3f}", flush=True)
    for key, count in sorted(unexpected.items()):
        print(f"# unexpected {key}: {count}", flush=True)


if __name__ == "__main__":
    main()
