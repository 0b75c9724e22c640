#!/usr/bin/env bash
# Reboot drill (issue 20), run by scripts/ci-reboot-drill.sh, on a private Docker engine that it
# restarts (scripts/private-dockerd.sh; never the machine's shared engine):
#
#   1. the Vault fake on the private bridge's address, set up once as production is:
#      scripts/setup_approle.sh --persistent (role id + kept, CIDR-bound secret id per project)
#      and scripts/push_env_to_vault.sh (the stacks' settings)
#   2. the three stacks up (CI overlays + *.reboot.yml: the agents log in with AppRole), a user
#      created in dbu (the data whose survival is checked)
#   3. reboot with Vault unsealed: the engine stops (every container with it) and starts again;
#      every stack healthy again with no command run; the user still logs in
#   4. reboot with Vault sealed: the apps wait, healthy but not ready (/health 200 "waiting",
#      the API 503), without restarting (no crash loop); after the single unseal they come up by
#      themselves and is-web reports every target up; setup_approle.sh is not run again
#   5. teardown (also on failure)
set -euo pipefail
# shellcheck source=test/docker/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=test/docker/drill-lib.sh
source "$DOCKER_TEST_DIR/drill-lib.sh"

STACKS=(infrastructure-stack dbu im)
PORT_BASE=${PJS_DRILL_PORT_BASE:-28200}
export PJS_TEST_IS_PORT=$PORT_BASE PJS_TEST_DBU_PORT=$((PORT_BASE + 1)) PJS_TEST_IM_PORT=$((PORT_BASE + 2))
IS_URL=http://127.0.0.1:$PJS_TEST_IS_PORT
DBU_URL=http://127.0.0.1:$PJS_TEST_DBU_PORT
IM_URL=http://127.0.0.1:$PJS_TEST_IM_PORT
VAULT_PORT=${PJS_DRILL_VAULT_PORT:-28250}
HEALTH_TIMEOUT=${PJS_HEALTH_TIMEOUT:-300}
RUN_DIR=$(mktemp -d)
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"
unset IS_STATUS_TARGETS IM_DBU_BASE_URL DBU_CLEANUP_SCHEDULE PJS_IMAGE_TAG VAULT_ADDR PJS_IMAGE_REGISTRY

compose() {
  local stack=$1
  shift
  local extra=()
  [[ ! -f "$DOCKER_TEST_DIR/compose/$stack.reboot.yml" ]] || extra=(-f "../../test/docker/compose/$stack.reboot.yml")
  (cd "$REPO_ROOT/compose/$stack" &&
    docker-compose -p "pjs-reboot-$stack" -f docker-compose.yml -f docker-compose.override.yml \
      -f "../../test/docker/compose/$stack.test.yml" "${extra[@]}" "$@")
}

VAULT_PID=""
on_exit() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    local stack id
    for stack in "${STACKS[@]}"; do
      for id in $(compose "$stack" ps -aq 2>/dev/null); do
        echo "--- $(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}} restarts={{.RestartCount}}' "$id")" >&2
        docker logs --tail 12 "$id" 2>&1 | cut -c1-300 >&2
      done
    done
    tail -20 "$RUN_DIR/vault.log" >&2 2>/dev/null || true
  fi
  local s
  for s in im dbu infrastructure-stack; do compose "$s" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true; done
  docker network rm is-net dbu-net im-net >/dev/null 2>&1 || true
  [[ -z "$VAULT_PID" ]] || kill "$VAULT_PID" 2>/dev/null || true
  stop_private_engine
  rm -rf "$RUN_DIR"
  if [[ $rc -eq 0 ]]; then log "PASS: reboot drill in $(elapsed)"; else log "FAILED: reboot drill after $(elapsed)"; fi
  exit "$rc"
}
trap on_exit EXIT

poll() {
  local timeout=$1 what=$2 end
  shift 2
  end=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < end)) || die "timed out after ${timeout}s: $what"
    sleep 2
  done
}

# stack_ready STACK: every container healthy (or running without a check), one-shots exited 0.
stack_ready() {
  local id name state health code policy
  for id in $(compose "$1" ps -aq 2>/dev/null); do
    read -r name state health code policy < <(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}' "$id")
    # One-shots: *-migrate and the other `restart: "no"` services (*-postgres-monitor-role).
    if [[ "$name" == *-migrate* || "$policy" == no ]]; then
      [[ "$state" == exited && "$code" == 0 ]] || return 1
    elif [[ "$state" != running || ("$health" != healthy && "$health" != -) ]]; then
      return 1
    fi
  done
}
all_ready() {
  local s
  for s in "${STACKS[@]}"; do stack_ready "$s" || return 1; done
}
status_all_up() {
  local body
  body=$(curl -fsS --max-time 10 "$IS_URL/status" 2>/dev/null) || return 1
  jq -e '.targets | length > 0 and all(.up)' >/dev/null <<<"$body"
}
login_works() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$DBU_URL/api-token-auth/" \
    --data-urlencode username=drill-user --data-urlencode password=drill-password-1)" == 200 ]]
}
app_ids() {
  local s
  for s in dbu im; do
    compose "$s" ps -q "$s-web" "$s-worker" 2>/dev/null
  done
}
restart_counts() {
  local id
  for id in $(app_ids); do docker inspect -f '{{.Name}}={{.RestartCount}}' "$id"; done | sort | tr '\n' ' '
}

reboot() {
  log "reboot: the engine stops (and every container with it), then starts; no other command"
  bash "$PRIVATE_DOCKERD" restart
  [[ -z "$(docker ps -q --filter status=running --filter 'label=com.docker.compose.project' | head -1)" ]] ||
    log "containers coming back by their restart policies"
}

main() {
  use_private_engine
  # Every image the stacks name or build from: the private engine has no registry to pull from.
  bring_images pjs/is-web:latest pjs/dbu:latest pjs/im:latest node:24-bookworm-slim local/debian:bookworm \
    postgres:16-alpine postgres:16-bookworm rabbitmq:3.13-alpine \
    quay.io/prometheuscommunity/postgres-exporter:v0.17.1

  # 1. The Vault fake, on the private bridge's address (reachable from the containers).
  local gw
  gw=$(ip -4 -o addr show "${PJS_PRIVATE_BRIDGE:-pjsdrill0}" | awk '{print $4}' | cut -d/ -f1)
  [[ -n "$gw" ]] || die "no address on the private bridge"
  node --experimental-transform-types --no-warnings "$DOCKER_TEST_DIR/vault-fake-server.mjs" "$gw" "$VAULT_PORT" \
    >"$RUN_DIR/vault.log" 2>&1 &
  VAULT_PID=$!
  export VAULT_ADDR="http://$gw:$VAULT_PORT" PJS_DRILL_VAULT_ADDR="http://$gw:$VAULT_PORT"
  poll 30 "the Vault fake to listen" curl -fs -o /dev/null "$VAULT_ADDR/v1/sys/health"
  printf 'root-token\n' >"$RUN_DIR/root-token"
  local project
  for project in dbu im; do
    VAULT_TOKEN_FILE="$RUN_DIR/root-token" APPROLE_SECRET_ID_CIDRS="${PJS_PRIVATE_POOL:-10.213.0.0/17}" \
      bash "$REPO_ROOT/scripts/setup_approle.sh" --persistent --no-audit -o "$RUN_DIR/approle-$project" "$project" |
      tail -1
    VAULT_TOKEN_FILE="$RUN_DIR/root-token" bash "$REPO_ROOT/scripts/push_env_to_vault.sh" "$project" \
      "$DOCKER_TEST_DIR/env/$project.env" | tail -1
    # Root-only on the host; readable by the agent's uid (1000) only.
    chown -R 1000:1000 "$RUN_DIR/approle-$project"
    chmod 700 "$RUN_DIR/approle-$project"
  done
  export DBU_APPROLE_DIR="$RUN_DIR/approle-dbu" IM_APPROLE_DIR="$RUN_DIR/approle-im"
  log "Vault fake at $VAULT_ADDR: AppRoles dbu, im with kept secret ids; secret/dbu, secret/im pushed"

  # 2. The stacks, a user (the data), all healthy.
  # `up` gives up when a dependency is not healthy in time (a loaded machine): ask again.
  up() {
    local stack=$1 try
    shift
    for try in 1 2 3; do
      compose "$stack" up -d "$@" >"$LOG_DIR/reboot-up-$stack.log" 2>&1 && return 0
      log "$stack: up -d failed (try $try): $(tail -1 "$LOG_DIR/reboot-up-$stack.log")"
      sleep 10
    done
    die "$stack did not start (log: $LOG_DIR/reboot-up-$stack.log)"
  }
  up infrastructure-stack is-web
  up dbu
  up im
  poll "$HEALTH_TIMEOUT" "every stack healthy" all_ready
  compose dbu exec -T dbu-web node dist/cli.js create-user drill-user --password-stdin <<<"drill-password-1" >/dev/null ||
    die "create-user failed"
  login_works || die "drill-user cannot log in"
  poll 90 "is-web to report every target up" status_all_up
  log "stacks up; user drill-user stored in dbu-postgres"

  # 3. Reboot with Vault unsealed.
  reboot
  poll "$HEALTH_TIMEOUT" "every stack healthy after the reboot" all_ready
  poll 90 "is-web to report every target up after the reboot" status_all_up
  login_works || die "after the reboot drill-user cannot log in: data lost"
  log "after the reboot: every stack healthy, is-web reports every target up, drill-user still logs in"

  # 4. Reboot with Vault sealed.
  kill -USR1 "$VAULT_PID"
  reboot
  waiting() {
    local url body
    for url in "$DBU_URL" "$IM_URL"; do
      body=$(curl -s --max-time 5 "$url/health/") || return 1
      [[ "$(jq -r '.status // empty' <<<"$body" 2>/dev/null)" == waiting ]] || return 1
    done
  }
  poll "$HEALTH_TIMEOUT" "dbu-web and im-web to wait for their secrets (healthy, not ready)" waiting
  apps_healthy() {
    local id
    for id in $(app_ids); do
      [[ "$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")" == running/healthy ]] || return 1
    done
  }
  poll "$HEALTH_TIMEOUT" "the waiting apps to be healthy" apps_healthy
  local before after code
  before=$(restart_counts)
  sleep 20
  after=$(restart_counts)
  [[ "$before" == "$after" ]] || die "apps restarted while Vault was sealed (crash loop): $before -> $after"
  apps_healthy || die "the waiting apps did not stay healthy"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$DBU_URL/api/products/")
  [[ "$code" == 503 ]] || die "while waiting, the API answered $code, not 503"
  log "Vault sealed: dbu/im web and worker healthy but not ready (/health 'waiting', API 503), no restarts in 20 s ($after)"

  kill -USR2 "$VAULT_PID"
  log "vault operator unseal (the fake), nothing else"
  poll "$HEALTH_TIMEOUT" "every stack healthy after the unseal" all_ready
  poll 120 "is-web to report every target up after the unseal" status_all_up
  login_works || die "after the unseal drill-user cannot log in"
  log "after the unseal: agents logged in again with their kept secret ids, apps started, every target up"
}

main "$@"
