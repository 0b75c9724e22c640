#!/usr/bin/env bash
# CI step "docker stacks" (issue 7): builds our images and brings the stacks up in Docker, then
# drives the system through the containers (test/docker/run-stacks.sh; docs/containers.md).
#
# Installs Debian's docker.io, debootstrap, curl and jq when missing, Compose v2
# (scripts/ci-compose.sh), and starts dockerd when no engine answers. It FAILS, saying why, where no
# Docker engine can be had or started (no root, no apt, a sandbox whose kernel will not run
# dockerd) as well as when the stacks do not work: a drill that cannot run is a failed drill,
# never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "ci-docker: FAILED - $*" >&2
  echo "ci-docker: the container end-to-end test (test/docker/run-stacks.sh) could not run" >&2
  exit 1
}

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
fi

need=()
[[ -x /usr/bin/docker ]] || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
# The backup drill's WalArchiveFailing check runs Debian's Prometheus with our rules.
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [[ ${#need[@]} -gt 0 ]]; then
  [[ "${as_root[*]}" != none ]] || fail "missing ${need[*]} and no root (or sudo) to install them"
  command -v apt-get >/dev/null 2>&1 || fail "missing ${need[*]} and no apt-get to install them"
  echo "ci-docker: installing ${need[*]}"
  log=$(mktemp)
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need[@]}" >>"$log" 2>&1; then
    tail -20 "$log"
    rm -f "$log"
    fail "apt-get could not install ${need[*]}"
  fi
  rm -f "$log"
fi

# Debian's client matches the engine (20.10); another `docker` earlier on PATH may not.
docker=/usr/bin/docker
if ! "$docker" info >/dev/null 2>&1; then
  [[ "${as_root[*]}" != none ]] || fail "no Docker engine answers and no root to start dockerd"
  if [[ -d /run/systemd/system ]] && "${as_root[@]}" systemctl start docker >/dev/null 2>&1; then
    echo "ci-docker: started docker.service"
  else
    command -v dockerd >/dev/null 2>&1 || fail "no Docker engine answers and dockerd is not installed"
    echo "ci-docker: starting dockerd (log: /tmp/pjs-dockerd.log)"
    "${as_root[@]}" nohup dockerd >/tmp/pjs-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    "$docker" info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! "$docker" info >/dev/null 2>&1; then
    tail -5 /tmp/pjs-dockerd.log 2>/dev/null || true
    fail "dockerd could not be started on this machine"
  fi
fi

# A private engine of an earlier drill may have deleted the shared engine's docker0.
bash scripts/docker-default-bridge.sh || fail "the shared engine's default bridge could not be put back"
bash test/docker/check-stack-files.sh || fail "the Swarm stack files do not check out"
# Compose v2 (Debian trixie's docker-compose 2.x, or the Docker CLI plugin) and the files' validity.
bash scripts/ci-compose.sh --check || fail "Compose v2 could not be provided"

exec bash test/docker/run-stacks.sh
