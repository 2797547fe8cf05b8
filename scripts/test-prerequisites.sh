#!/usr/bin/env bash
# What the tests need besides npm packages: Debian's Chromium, PostgreSQL on localhost:5432 and Redis on
# 127.0.0.1:6379. Installs or starts what is missing with the machine's own commands, or fails with a
# message that says what to do.
set -euo pipefail

chromium="${TIJARA_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "Chromium is missing at $chromium; installing Debian's chromium package"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "FATAL: install Chromium (Debian: sudo apt-get install chromium) or set TIJARA_CHROMIUM" >&2
    exit 1
  fi
fi

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
  return 1
}

if ! port_open 127.0.0.1 5432; then
  echo "PostgreSQL is not answering on localhost:5432; starting it"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  wait_port 127.0.0.1 5432 || {
    echo "FATAL: the tests need PostgreSQL on localhost:5432 (user postgres, trust auth) and it could not be started" >&2
    exit 1
  }
fi

if ! port_open 127.0.0.1 6379; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it"
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  wait_port 127.0.0.1 6379 || {
    echo "FATAL: the tests need Redis on 127.0.0.1:6379 and it could not be started" >&2
    exit 1
  }
fi
echo "test prerequisites: chromium, PostgreSQL :5432 and Redis :6379 ready"
