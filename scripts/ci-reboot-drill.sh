#!/usr/bin/env bash
# CI step "reboot drill" (issue 20): test/docker/reboot-drill.sh. It restarts a private Docker
# engine of its own (scripts/private-dockerd.sh), never the machine's shared one, so it can run at
# any point of the CI run. Fails, saying why, when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "ci-reboot-drill: FAILED - needs root (a private dockerd)" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "ci-reboot-drill: FAILED - dockerd is missing (scripts/ci-docker.sh installs it)" >&2; exit 1; }
exec bash test/docker/reboot-drill.sh
