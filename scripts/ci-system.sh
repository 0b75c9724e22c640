#!/usr/bin/env bash
# Installs the Debian packages CI and the tests need, only when missing (idempotent, quiet).
set -euo pipefail
need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
want nginx nginx
want prometheus prometheus
want promtool prometheus
want amtool prometheus-alertmanager
want shellcheck shellcheck
want yamllint yamllint
want docker-compose docker-compose
want jq jq
want curl curl
want openssl openssl
want chromium chromium
want psql postgresql-client
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's nginx/prometheus packages may start daemons on their default ports; tests run their own.
for svc in nginx prometheus prometheus-alertmanager; do
  pkill -x "$svc" 2>/dev/null || true
done
echo "system packages ready"
