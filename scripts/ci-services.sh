#!/usr/bin/env bash
# Starts PostgreSQL and RabbitMQ when they are down (commands of the machine's env notes) and
# enables the RabbitMQ plugins the tests use (management API for per-test vhosts, prometheus).
set -euo pipefail
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
rabbitmqctl -q await_startup >/dev/null 2>&1 || true
rabbitmq-plugins -q enable rabbitmq_management rabbitmq_prometheus >/dev/null
for _ in $(seq 1 30); do
  curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null
echo "PostgreSQL and RabbitMQ ready"
