#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis that the test suite uses are reachable:
# starts them where they are installed, installs them (as root, with apt-get) where not.
set -eu
PY=${1:?usage: ensure-services.sh PYTHON}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/levee}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

reachable() {  # reachable URL
  "$PY" - "$1" <<'PYEOF'
import socket, sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
port = u.port or {"postgres": 5432, "postgresql": 5432, "redis": 6379}.get(u.scheme, 0)
try:
    socket.create_connection((u.hostname or "127.0.0.1", port), timeout=2).close()
except OSError:
    sys.exit(1)
PYEOF
}

wait_for() {  # wait_for URL NAME
  for _ in $(seq 1 30); do reachable "$1" && return 0; sleep 1; done
  echo "$2 is still not reachable at $1" >&2
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "$* not installed and not root: install it, or set DATABASE_URL/REDIS_URL to a running server" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! reachable "$DATABASE_URL"; then
  echo "PostgreSQL not reachable; starting it"
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for "$DATABASE_URL" PostgreSQL
  # A fresh Debian cluster only trusts the postgres user over the socket.
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
fi

if ! reachable "$REDIS_URL"; then
  echo "Redis not reachable; starting it"
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/levee.log
  wait_for "$REDIS_URL" Redis
fi
echo "PostgreSQL and Redis are reachable"
