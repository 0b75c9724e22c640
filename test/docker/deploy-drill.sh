#!/usr/bin/env bash
# Deploy drill (issue 20), run by scripts/ci-deploy-drill.sh: images through a registry,
# scripts/deploy.sh rolling forward and rolling back by itself.
#
#   1. a private Docker engine (scripts/private-dockerd.sh) and Debian's docker-registry on
#      127.0.0.1:$PJS_DRILL_REGISTRY_PORT
#   2. three tags of pjs/is-web pushed: 1 (the image built from this commit), 2 (the same with
#      another version label, so a different image), 3 (2 with a dist/main.js whose /health
#      answers 503: a release whose healthcheck fails); the local copies removed, so deploy pulls
#   3. deploy.sh infrastructure-stack 1, then 2 while /health is polled every 0.2 s: no failure may
#      last as long as the healthcheck interval (production's 30 s: infrastructure-stack.deploy.yml;
#      each service is replaced in place, see docs/containers.md); then 3: deploy.sh must exit 1 having rolled back
#      by itself, and the stack serves 2 again; then rollback.sh goes back to 1
#   4. teardown (also on failure)
set -euo pipefail
# shellcheck source=test/docker/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=test/docker/drill-lib.sh
source "$DOCKER_TEST_DIR/drill-lib.sh"

REG_PORT=${PJS_DRILL_REGISTRY_PORT:-25000}
REG=127.0.0.1:$REG_PORT
IS_PORT=${PJS_DRILL_IS_PORT:-28100}
RUN_DIR=$(mktemp -d)
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"
STACK=infrastructure-stack
PROJECT=pjs-drill-deploy

export PJS_IMAGE_REGISTRY="$REG/"
export PJS_COMPOSE_FILES="docker-compose.yml docker-compose.override.yml ../../test/docker/compose/infrastructure-stack.test.yml ../../test/docker/compose/infrastructure-stack.deploy.yml"
export PJS_COMPOSE_PROJECT=$PROJECT
export PJS_DEPLOY_STATE_DIR="$RUN_DIR/state"
export PJS_DEPLOY_HEALTH_TIMEOUT=${PJS_DEPLOY_HEALTH_TIMEOUT:-240}
export PJS_TEST_IS_PORT=$IS_PORT
unset PJS_IMAGE_TAG IS_STATUS_TARGETS

compose() {
  local args=() f
  read -r -a fs <<<"$PJS_COMPOSE_FILES"
  for f in "${fs[@]}"; do args+=(-f "$f"); done
  (cd "$REPO_ROOT/compose/$STACK" && docker-compose -p "$PROJECT" "${args[@]}" "$@")
}

POLLER=""
on_exit() {
  local rc=$?
  [[ -z "$POLLER" ]] || kill "$POLLER" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    compose ps 2>/dev/null || true
    for id in $(compose ps -aq 2>/dev/null); do docker logs --tail 15 "$id" 2>&1 | cut -c1-300; done
  fi
  PJS_IMAGE_TAG=x compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  stop_registry
  stop_private_engine
  rm -rf "$RUN_DIR"
  if [[ $rc -eq 0 ]]; then log "PASS: deploy drill in $(elapsed)"; else log "FAILED: deploy drill after $(elapsed)"; fi
  exit "$rc"
}
trap on_exit EXIT

running_tag() {
  local id
  id=$(PJS_IMAGE_TAG=x compose ps -q is-web | head -1)
  [[ -n "$id" ]] || return 0
  docker inspect -f '{{.Config.Image}}' "$id" | sed 's/.*://'
}
health_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$IS_PORT/health" || true; }

# poll_health FILE: "<ms> <code>" lines every 0.2 s until killed.
poll_health() {
  while :; do
    printf '%s %s\n' "$(date +%s%3N)" "$(health_code)" >>"$1"
    sleep 0.2
  done
}
# longest_outage FILE: the longest time (ms) from a failed probe to the next good one.
longest_outage() {
  awk '$2 != 200 { if (!down) { down = 1; from = $1 } next }
       { if (down) { d = $1 - from; if (d > max) max = d; down = 0 } }
       END { if (down) { print "unrecovered"; exit } print max + 0 }' "$1"
}

main() {
  use_private_engine
  bring_images pjs/is-web:latest
  start_registry "$REG_PORT" "$RUN_DIR/registry"

  log "pushing $REG/pjs/is-web:1, :2 and :3 (3: /health answers 503)"
  docker tag pjs/is-web:latest "$REG/pjs/is-web:1"
  printf 'FROM %s\nLABEL org.opencontainers.image.version=2\n' "$REG/pjs/is-web:1" |
    docker build -q -t "$REG/pjs/is-web:2" - >/dev/null
  mkdir -p "$RUN_DIR/broken"
  cat >"$RUN_DIR/broken/main.js" <<'JS'
// Drill release 3: starts, listens, and answers 503 to everything (its healthcheck fails).
require('node:http')
  .createServer((req, res) => res.writeHead(503).end('broken release\n'))
  .listen(Number(process.env.PORT || 8000));
JS
  printf 'FROM %s\nLABEL org.opencontainers.image.version=3\nCOPY main.js /app/dist/main.js\n' "$REG/pjs/is-web:2" \
    >"$RUN_DIR/broken/Dockerfile"
  docker build -q -t "$REG/pjs/is-web:3" "$RUN_DIR/broken" >/dev/null
  local t
  for t in 1 2 3; do docker push -q "$REG/pjs/is-web:$t" >/dev/null; done
  local id2
  id2=$(docker image inspect -f '{{.Id}}' "$REG/pjs/is-web:2")
  for t in 1 2 3; do docker rmi -f "$REG/pjs/is-web:$t" >/dev/null; done
  log "registry holds: $(curl -fsS "http://$REG/v2/pjs/is-web/tags/list" | jq -c .tags)"

  log "+ scripts/deploy.sh $STACK 1"
  bash "$REPO_ROOT/scripts/deploy.sh" "$STACK" 1 || die "deploy of tag 1 failed"
  [[ "$(running_tag)" == 1 && "$(health_code)" == 200 ]] || die "after deploying 1: running $(running_tag), /health $(health_code)"

  local interval_ms
  interval_ms=$(PJS_IMAGE_TAG=2 compose config --format json | jq -r '.services["is-web"].healthcheck.interval' |
    awk '/ms$/ {print $0+0; next} /s$/ {print ($0+0)*1000; next} /m$/ {print ($0+0)*60000; next} {print int($0/1000000)}')
  log "+ scripts/deploy.sh $STACK 2 (polling /health every 0.2 s; healthcheck interval ${interval_ms} ms)"
  poll_health "$RUN_DIR/health.log" &
  POLLER=$!
  sleep 2
  bash "$REPO_ROOT/scripts/deploy.sh" "$STACK" 2 || die "deploy of tag 2 failed"
  sleep 2
  kill "$POLLER"
  POLLER=""
  local outage probes failed
  outage=$(longest_outage "$RUN_DIR/health.log")
  probes=$(wc -l <"$RUN_DIR/health.log")
  failed=$(awk '$2 != 200' "$RUN_DIR/health.log" | wc -l)
  [[ "$outage" != unrecovered ]] || die "/health did not recover after deploying 2"
  ((outage < interval_ms)) ||
    die "/health failed for ${outage} ms during the deploy of 2 (healthcheck interval ${interval_ms} ms)"
  log "during the deploy of 2: $probes probes of /health, $failed failed, longest outage ${outage} ms (< ${interval_ms} ms)"
  [[ "$(running_tag)" == 2 ]] || die "after deploying 2 the stack runs $(running_tag)"

  log "+ scripts/deploy.sh $STACK 3 (its healthcheck fails)"
  local rc=0 out
  out=$(bash "$REPO_ROOT/scripts/deploy.sh" "$STACK" 3 2>&1) || rc=$?
  printf '%s\n' "$out" | sed 's/^/  /'
  [[ $rc == 1 ]] || die "deploy of the broken tag 3 exited $rc, expected 1 (rolled back)"
  grep -q 'ROLLED BACK to 2' <<<"$out" || die "deploy.sh did not report the rollback to 2"
  local id
  id=$(PJS_IMAGE_TAG=x compose ps -q is-web | head -1)
  [[ "$(running_tag)" == 2 && "$(docker inspect -f '{{.Image}}' "$id")" == "$id2" ]] ||
    die "after the failed deploy of 3 the stack runs $(running_tag), not 2"
  [[ "$(health_code)" == 200 ]] || die "after the rollback /health answers $(health_code)"
  [[ "$(cat "$PJS_DEPLOY_STATE_DIR/$STACK.tag")" == 2 ]] || die "the recorded tag is not 2 after the rollback"
  log "deploy of 3 failed its healthcheck and rolled back by itself: the stack serves 2 (/health 200)"

  log "+ scripts/rollback.sh $STACK"
  bash "$REPO_ROOT/scripts/rollback.sh" "$STACK" || die "rollback.sh failed"
  [[ "$(running_tag)" == 1 && "$(health_code)" == 200 ]] || die "after rollback.sh: running $(running_tag)"
  log "rollback.sh put the stack back on 1 (the tag before 2)"
}

main "$@"
