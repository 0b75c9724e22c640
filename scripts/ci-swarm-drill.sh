#!/usr/bin/env bash
# CI step "swarm drill" (issue 21): test/docker/swarm-drill.sh. Single-node Docker Swarm on a
# private Docker engine of its own (scripts/private-dockerd.sh, engine pjs-swarm), never the
# machine's shared one. Fails, saying why, when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "ci-swarm-drill: FAILED - needs root (a private dockerd)" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "ci-swarm-drill: FAILED - dockerd is missing (scripts/ci-docker.sh installs it)" >&2; exit 1; }
exec bash test/docker/swarm-drill.sh
