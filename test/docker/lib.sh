#!/usr/bin/env bash
# Shared helpers of the container test scripts (sourced, not run).
# Sets REPO_ROOT, CACHE_DIR, puts Debian's docker CLI first on PATH and defines log/die/elapsed.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKER_TEST_DIR="$REPO_ROOT/test/docker"
# Scratch space of the builders (git-ignored): debootstrap root, staged build contexts.
CACHE_DIR=${PJS_DOCKER_CACHE_DIR:-$DOCKER_TEST_DIR/cache}
export REPO_ROOT DOCKER_TEST_DIR CACHE_DIR

# /usr/local/bin/docker on some of our machines is a newer client that wants buildx for
# BuildKit builds; Debian's /usr/bin/docker matches the engine (20.10) and builds with BuildKit.
# docker-compose 1.29 runs `docker build` from PATH, so the shim must come first.
if [[ -x /usr/bin/docker ]]; then
  mkdir -p "$CACHE_DIR/bin"
  ln -sfn /usr/bin/docker "$CACHE_DIR/bin/docker"
  PATH="$CACHE_DIR/bin:$PATH"
fi
export PATH
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
# Compose v2 first on PATH as `docker-compose` (Debian trixie's package when the machine has 1.29).
# shellcheck source=scripts/ci-compose.sh
source "$REPO_ROOT/scripts/ci-compose.sh"

_started_at=${_started_at:-$(date +%s)}
export _started_at
elapsed() { echo "$(($(date +%s) - _started_at))s"; }
log() { printf '[docker-test %6s] %s\n' "$(elapsed)" "$*"; }
die() {
  printf '[docker-test %6s] FAIL: %s\n' "$(elapsed)" "$*" >&2
  exit 1
}

# image_exists NAME[:TAG]
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
