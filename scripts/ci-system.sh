#!/usr/bin/env bash
# Installs the Debian packages CI needs, only when missing: the infrastructure tools
# (scripts/ci-infra.sh) plus Chromium for the browser test and the PostgreSQL client.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/ci-infra.sh"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
# The edge and exporters (issue 19): TLS scan, exporters scraped live, sid's nginx via debootstrap.
command -v testssl >/dev/null 2>&1 || need+=(testssl.sh)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
# Alertmanager itself (ci-infra.sh installs its package for amtool; the live alerting test runs it).
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
for exporter in prometheus-postgres-exporter prometheus-node-exporter prometheus-nginx-exporter; do
  command -v "$exporter" >/dev/null 2>&1 || need+=("$exporter")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash "$here/ci-nginx.sh" >/dev/null
echo "system packages ready"
