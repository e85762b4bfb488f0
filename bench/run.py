"""Run every benchmark and print `name: value` lines (`make bench`, SCALE=events).

Each benchmark module in bench/ exposes `run(scale) -> dict[str, float]`. Every module runs
in a child process of its own (so one's memory does not count against another's), against a
PostgreSQL database of its own (BENCH_DATABASE_URL, default: DATABASE_URL's server with the
database `levee_bench`), created and migrated here. Each module runs `--repeat` times
(REPEAT, default 3) and every figure printed is the median of its runs, so a target is met
by the median and not by a lucky run; a `# name runs:` comment line lists each run's value.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

MODULES = ["trace", "samples", "estimates", "signals"]


def bench_database_url():
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/levee")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/levee_bench"))


def ensure_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_module(name, scale):
    """Child mode: set Django up and print the module's figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from importlib import import_module

    figures = import_module(f"bench.{name}").run(scale)
    for key, value in figures.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", 1_000_000)))
    parser.add_argument("--only", nargs="*", choices=MODULES, default=MODULES)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("REPEAT", 3)))
    parser.add_argument("--module", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.module:
        run_module(args.module, args.scale)
        return 0

    url = bench_database_url()
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, check=True
    )
    print(
        f"# machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; scale: {args.scale} events",
        flush=True,
    )
    failed = []
    for name in args.only:
        runs = []
        for _ in range(max(1, args.repeat)):
            result = subprocess.run(
                [sys.executable, "-m", "bench.run", "--module", name, "--scale", str(args.scale)],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                print(f"# {name} failed:\n{result.stderr[-3000:]}", file=sys.stderr, flush=True)
                break
            runs.append(_figures(result.stdout))
        if not runs:
            failed.append(name)
            continue
        _print_medians(runs)
    return 1 if failed else 0


def _figures(output):
    """The `name: value` lines a module printed, in order."""
    figures = {}
    for line in output.splitlines():
        key, sep, value = line.partition(": ")
        if sep and not key.startswith("#"):
            try:
                figures[key] = float(value)
            except ValueError:
                figures[key] = value
    return figures


def _print_medians(runs):
    for key in runs[0]:
        values = [run[key] for run in runs if key in run]
        if all(isinstance(value, float) for value in values):
            if len(values) > 1:
                shown = ", ".join(f"{value:g}" for value in values)
                print(f"# {key} runs: {shown}", flush=True)
            print(f"{key}: {statistics.median(values):.3f}", flush=True)
        else:
            print(f"{key}: {values[0]}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
