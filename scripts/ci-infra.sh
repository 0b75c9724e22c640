#!/usr/bin/env bash
# Installs the Debian packages the infrastructure-stack tests need (nginx, Prometheus,
# Alertmanager's amtool, shellcheck, yamllint, docker-compose v1, jq, curl, openssl).
# Idempotent and quiet: apt-get runs only when a command is missing. Services are not
# started by the packages (no recommends, and the tests start their own processes).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/ci-infra.sh [-h]

Installs, with apt-get and only when missing, the tools the infrastructure-stack tests use:
  nginx prometheus (promtool) prometheus-alertmanager (amtool) shellcheck yamllint
  docker-compose jq curl openssl restic pgbackrest
Needs root (or sudo) when something is missing. Prints nothing when everything is present.
EOF
}

if [[ $# -gt 0 ]]; then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "ci-infra.sh: unexpected argument '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
fi

# command on PATH -> Debian package that provides it
declare -A wanted=(
  [nginx]=nginx
  [prometheus]=prometheus
  [promtool]=prometheus
  [amtool]=prometheus-alertmanager
  [shellcheck]=shellcheck
  [yamllint]=yamllint
  [docker-compose]=docker-compose
  [jq]=jq
  [curl]=curl
  [openssl]=openssl
  # Backups (issue 18): the sidecar's scripts run against the Vault fake and a local S3 server.
  [restic]=restic
  [pgbackrest]=pgbackrest
)

# nginx and prometheus live in /usr/sbin and /usr/bin; make sure both are searched.
export PATH="$PATH:/usr/sbin:/usr/bin"

missing=()
for cmd in "${!wanted[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    pkg="${wanted[$cmd]}"
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "ci-infra.sh: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "ci-infra.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# The packages must not start system services (nginx on :80, prometheus on :9090): the tests
# run their own instances. Docker-style images already have a policy-rc.d saying so.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  added_policy=1
fi
cleanup() {
  rm -f "$log"
  if [[ $added_policy -eq 1 ]]; then "${sudo_cmd[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT
if ! "${sudo_cmd[@]}" apt-get update -qq >"$log" 2>&1 ||
  ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >>"$log" 2>&1; then
  cat "$log" >&2
  echo "ci-infra.sh: apt-get failed for: ${missing[*]}" >&2
  exit 1
fi

for cmd in "${!wanted[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "ci-infra.sh: '$cmd' still missing after installing ${wanted[$cmd]}" >&2
    exit 1
  fi
done
