#!/usr/bin/env bash
# Deploys one stack at an image tag from the registry, and rolls back by itself when it fails.
#   scripts/deploy.sh [-h] <stack> <tag>        stack: infrastructure-stack | dbu | im
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/deploy.sh [-h] <stack> <tag>

Deploys <stack> (infrastructure-stack, dbu or im) at image tag <tag> (a git sha or a version):
  1. pull our images of the stack (pjs/is-web, pjs/dbu or pjs/im) at <tag> from the registry
  2. run the stack's migrations (<stack>-migrate) at <tag> and wait for them to finish
  3. roll the app services one by one (docker-compose up -d --no-deps) and wait until each is
     healthy (its compose healthcheck)
  4. record <tag> as deployed (and the tag before it as the one to roll back to)
When a service does not become healthy, the stack is rolled back to the previous tag by itself
(same steps without migrations; migrations only ever add, see CHANGELOG.md) and the script exits 1.
A failed migration changes nothing that runs: the old containers keep serving; exit 1.
Exit 2: the rollback failed as well (operator needed).

Environment:
  PJS_IMAGE_REGISTRY         registry prefix of the images, with a trailing slash
                             (e.g. ghcr.io/acme/); empty: images pjs/<name> as built locally
  PJS_COMPOSE_FILES          compose files, relative to compose/<stack>
                             (default: docker-compose.yml docker-compose.prod.yml)
  PJS_COMPOSE_PROJECT        compose project name (default: the stack's directory name)
  PJS_DEPLOY_STATE_DIR       where the deployed tags are kept (default /var/lib/pjs/deploy)
  PJS_DEPLOY_HEALTH_TIMEOUT  seconds each service has to become healthy (default 180)
  PJS_DEPLOY_SKIP_MIGRATE=1  do not run migrations (scripts/rollback.sh sets it)
  PJS_DEPLOY_NO_ROLLBACK=1   fail without rolling back (scripts/rollback.sh sets it)
EOF
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
esac
if [[ $# -ne 2 ]]; then
  usage >&2
  exit 2
fi
stack=$1
tag=$2
case "$stack" in
  infrastructure-stack | dbu | im) ;;
  *)
    echo "deploy: unknown stack '$stack'" >&2
    exit 2
    ;;
esac
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || {
  echo "deploy: '$tag' is not a valid image tag" >&2
  exit 2
}

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/ci-compose.sh
source "$repo/scripts/ci-compose.sh"
stack_dir="$repo/compose/$stack"
read -r -a files <<<"${PJS_COMPOSE_FILES:-docker-compose.yml docker-compose.prod.yml}"
state_dir=${PJS_DEPLOY_STATE_DIR:-/var/lib/pjs/deploy}
health_timeout=${PJS_DEPLOY_HEALTH_TIMEOUT:-180}
started=$SECONDS

say() { printf '[deploy %s %4ss] %s\n' "$stack" "$((SECONDS - started))" "$*"; }
compose() {
  local args=()
  local f
  for f in "${files[@]}"; do args+=(-f "$f"); done
  [[ -z "${PJS_COMPOSE_PROJECT:-}" ]] || args+=(-p "$PJS_COMPOSE_PROJECT")
  (cd "$stack_dir" && docker-compose "${args[@]}" "$@")
}

# Our services of the stack at the current PJS_IMAGE_TAG: "name image" per line (apps first,
# migrate marked), from the resolved compose model.
our_services() {
  compose config --format json |
    jq -r --arg img "${PJS_IMAGE_REGISTRY:-}pjs/" \
      '.services | to_entries[] | select(.value.image | startswith($img)) | "\(.key) \(.value.image)"'
}

# wait_healthy SERVICE: 0 when its container is healthy (or running, without a healthcheck).
wait_healthy() {
  local service=$1 id state end=$((SECONDS + health_timeout))
  while ((SECONDS < end)); do
    id=$(compose ps -q "$service" 2>/dev/null | head -1)
    if [[ -n "$id" ]]; then
      state=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
      case "$state" in
        running/healthy | running/none) return 0 ;;
        */unhealthy)
          say "$service is unhealthy: $(docker inspect -f '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$id" | tail -c 300 | tr '\n' ' ')"
          return 1
          ;;
        exited/* | dead/*)
          say "$service exited: $(docker logs --tail 5 "$id" 2>&1 | tr '\n' ' ' | cut -c1-300)"
          return 1
          ;;
      esac
    fi
    sleep 2
  done
  say "$service did not become healthy within ${health_timeout}s"
  return 1
}

# roll TAG: every app service (not the migrations) at TAG, one after the other, each healthy.
roll() {
  export PJS_IMAGE_TAG=$1
  local name image
  while read -r name image; do
    [[ -n "$name" && "$name" != *-migrate ]] || continue
    say "rolling $name to $image"
    compose up -d --no-deps "$name" >/dev/null 2>&1 || {
      say "docker-compose up $name failed"
      return 1
    }
    wait_healthy "$name" || return 1
    say "$name healthy at $1"
  done < <(our_services)
}

# The tag to go back to: the one recorded, else what the stack's first app container runs.
previous=""
if [[ -f "$state_dir/$stack.tag" ]]; then
  previous=$(cat "$state_dir/$stack.tag")
else
  export PJS_IMAGE_TAG=$tag
  first=$(our_services | awk '$1 !~ /-migrate$/ {print $1; exit}')
  id=$(compose ps -q "$first" 2>/dev/null | head -1 || true)
  [[ -z "$id" ]] || previous=$(docker inspect -f '{{.Config.Image}}' "$id" | sed 's/.*://')
fi
say "deploying $tag (running now: ${previous:-nothing})"

export PJS_IMAGE_TAG=$tag
mapfile -t services < <(our_services)
[[ ${#services[@]} -gt 0 ]] || {
  say "no service of the stack uses ${PJS_IMAGE_REGISTRY:-}pjs/ images"
  exit 1
}
names=()
for line in "${services[@]}"; do names+=("${line%% *}"); done

say "pulling ${names[*]} at $tag"
if [[ -n "${PJS_IMAGE_REGISTRY:-}" ]]; then
  compose pull -q "${names[@]}" || {
    say "FAILED: pull of $tag (nothing was changed)"
    exit 1
  }
fi

if [[ "${PJS_DEPLOY_SKIP_MIGRATE:-0}" != 1 ]]; then
  for name in "${names[@]}"; do
    [[ "$name" == *-migrate ]] || continue
    say "migrating ($name at $tag)"
    compose up -d "$name" >/dev/null 2>&1 || {
      say "FAILED: could not start $name (nothing was rolled)"
      exit 1
    }
    id=$(compose ps -aq "$name" | head -1)
    code=$(docker wait "$id")
    if [[ "$code" != 0 ]]; then
      docker logs --tail 20 "$id" 2>&1 | sed 's/^/  /'
      say "FAILED: migrations exited $code; the running services were not touched"
      exit 1
    fi
    say "migrations done"
  done
fi

if roll "$tag"; then
  mkdir -p "$state_dir"
  if [[ -n "$previous" && "$previous" != "$tag" ]]; then echo "$previous" >"$state_dir/$stack.previous"; fi
  echo "$tag" >"$state_dir/$stack.tag"
  say "DEPLOYED $tag"
  exit 0
fi

if [[ "${PJS_DEPLOY_NO_ROLLBACK:-0}" == 1 || -z "$previous" || "$previous" == "$tag" ]]; then
  say "FAILED: $tag is not healthy and there is no earlier tag to roll back to"
  exit 1
fi
say "FAILED: $tag is not healthy; rolling back to $previous"
if roll "$previous"; then
  say "ROLLED BACK to $previous (it serves again); $tag was not recorded"
  exit 1
fi
say "ROLLBACK FAILED: $previous is not healthy either; operator needed"
exit 2
