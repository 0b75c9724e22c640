#!/usr/bin/env bash
# Installs the Debian packages CI needs, only when missing: the infrastructure tools
# (scripts/ci-infra.sh) plus Chromium for the browser test and the PostgreSQL client.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/ci-infra.sh"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "system packages ready"
