#!/usr/bin/env bash
# The Swarm stack files parse as `docker stack deploy` reads them (compose/<stack>/docker-stack.yml)
# and keep what docs/scale-out.md promises: start-first updates with rollback, ready probes, Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() {
  echo "check-stack-files: $*" >&2
  exit 1
}
# `docker stack config` needs a client newer than bookworm's 20.10: take the first that has it.
docker=""
for candidate in ${DOCKER:-} $(type -ap docker); do
  if "$candidate" stack config --help >/dev/null 2>&1; then
    docker=$candidate
    break
  fi
done
[[ -n "$docker" ]] || fail "no docker client with 'stack config' (Docker CLI >= 23 needed to check the stack files)"
for stack in dbu im; do
  file="compose/$stack/docker-stack.yml"
  out=$(cd "compose/$stack" && PJS_IMAGE_TAG=check "$docker" stack config -c docker-stack.yml) ||
    fail "$file does not parse"
  grep -q "image: pjs/$stack:check" <<<"$out" || fail "$file: app image does not follow PJS_IMAGE_TAG"
  grep -q 'order: start-first' <<<"$out" || fail "$file: no start-first update"
  grep -q 'failure_action: rollback' <<<"$out" || fail "$file: no automatic rollback"
  grep -q '/health/ready' <<<"$out" || fail "$file: web healthcheck is not the readiness probe"
  grep -q "REDIS_URL: redis://$stack-redis:6379" <<<"$out" || fail "$file: apps do not share Redis"
  ! grep -qE '^    (mem_limit|cpus|depends_on|pids_limit):' <<<"$out" || fail "$file: compose-only keys Swarm ignores"
  echo "check-stack-files: $file ok"
done
