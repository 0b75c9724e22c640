#!/usr/bin/env bash
# CI step "deploy drill" (issue 20): test/docker/deploy-drill.sh on a private Docker engine with a
# local registry (Debian's docker-registry). Fails, saying why, when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "ci-deploy-drill: FAILED - needs root (a private dockerd)" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "ci-deploy-drill: FAILED - dockerd is missing (scripts/ci-docker.sh installs it)" >&2; exit 1; }
exec bash test/docker/deploy-drill.sh
