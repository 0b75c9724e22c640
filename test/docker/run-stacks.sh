#!/usr/bin/env bash
# End-to-end test of the Docker deployment (issue 7), run by scripts/ci-docker.sh in CI:
#
#   1. base images (cached): test/docker/build-bases.sh
#   2. our images with `docker-compose build` of each stack (services/<svc>/Dockerfile)
#   3. the stacks in deploy order, each with its development override plus a CI overlay
#      (test/docker/compose/<stack>.test.yml: Vault Agent stand-in, ports on 127.0.0.1):
#        infrastructure-stack (is-web and the networks) -> dbu -> im
#      then every container healthy and every one-shot migrate exited 0
#   4. the system driven from the host through the published ports only:
#      users, catalogue import, an order, confirm-item over dbu-net, the import event,
#      a signal produced while the broker is down, a broker restart with the message queued
#      and the worker stopped, is-web's /status
#   5. the backup drills (test/docker/backup-drill.sh, issue 18): a point-in-time restore of dbu
#      and im into fresh volumes checked table by table, media and photos, then WalArchiveFailing
#      firing in a real Prometheus while dbu keeps serving
#   6. `down -v` of every stack (also on failure; PJS_KEEP_STACKS=1 keeps them for debugging)
#
# Needs a running Docker engine, Compose v2 (lib.sh provides it), curl, jq and Node (test catalogues come
# from the repository's generator, `pnpm gen-catalogue`).
set -euo pipefail
# shellcheck source=test/docker/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=test/docker/backup-drill.sh
source "$(dirname "$0")/backup-drill.sh"

STACKS=(infrastructure-stack dbu im)
# Host ports of is-web, dbu-web, im-web: PJS_TEST_PORT_BASE (18000) and the next two.
PORT_BASE=${PJS_TEST_PORT_BASE:-18000}
export PJS_TEST_IS_PORT=$PORT_BASE PJS_TEST_DBU_PORT=$((PORT_BASE + 1)) PJS_TEST_IM_PORT=$((PORT_BASE + 2))
IS_URL=http://127.0.0.1:$PJS_TEST_IS_PORT
DBU_URL=http://127.0.0.1:$PJS_TEST_DBU_PORT
IM_URL=http://127.0.0.1:$PJS_TEST_IM_PORT
HEALTH_TIMEOUT=${PJS_HEALTH_TIMEOUT:-240}
RUN_DIR=$(mktemp -d)
# fd 9: the console, for progress lines of commands whose output goes to a log file.
exec 9>&1
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"

# Host variables the compose files interpolate: the test must not inherit them.
unset IS_STATUS_TARGETS IM_DBU_BASE_URL DBU_CLEANUP_SCHEDULE PJS_IMAGE_TAG VAULT_ADDR
# Bind mounts of the (replaced) Vault Agents: empty directories, not ones created in the tree.
mkdir -p "$RUN_DIR/approle-dbu" "$RUN_DIR/approle-im"
export DBU_APPROLE_DIR="$RUN_DIR/approle-dbu" IM_APPROLE_DIR="$RUN_DIR/approle-im"

# compose STACK ARGS...: docker-compose in compose/STACK with the dev override and the CI overlay.
compose() {
  local stack=$1
  shift
  (cd "$REPO_ROOT/compose/$stack" &&
    docker-compose -f docker-compose.yml -f docker-compose.override.yml \
      -f "../../test/docker/compose/$stack.test.yml" "$@")
}

# show_compose STACK ARGS...: logs the compose command line (the steps a reader can repeat).
show_compose() {
  local stack=$1
  shift
  log "+ (cd compose/$stack && docker-compose -f docker-compose.yml -f docker-compose.override.yml -f ../../test/docker/compose/$stack.test.yml $*)" >&9
}
# run_compose STACK ARGS...: compose, with the command line in the log.
run_compose() {
  show_compose "$@"
  compose "$@"
}

# ---- HTTP helpers ---------------------------------------------------------------------------------
HTTP_STATUS=""
HTTP_BODY=""
# http METHOD URL TOKEN [curl args...]: sets HTTP_STATUS and HTTP_BODY (TOKEN may be empty).
http() {
  local method=$1 url=$2 token=$3 out
  shift 3
  out="$RUN_DIR/body"
  local auth=()
  [[ -z "$token" ]] || auth=(-H "Authorization: Token $token")
  HTTP_STATUS=$(curl -sS --max-time 30 -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$url") ||
    HTTP_STATUS=000
  HTTP_BODY=$(cat "$out" 2>/dev/null || true)
}
# expect STATUS WHAT: the last http call answered STATUS.
expect() {
  [[ "$HTTP_STATUS" == "$1" ]] || die "$2: expected HTTP $1, got $HTTP_STATUS: ${HTTP_BODY:0:600}"
}
json() { jq -r "$1" <<<"$HTTP_BODY"; }

# poll TIMEOUT WHAT COMMAND...: runs COMMAND every 2 s until it succeeds.
poll() {
  local timeout=$1 what=$2 end
  shift 2
  end=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < end)) || die "timed out after ${timeout}s: $what"
    sleep 2
  done
}

# ---- containers -----------------------------------------------------------------------------------
# container_states STACK: "name state health exit-code restarts restart-policy" per container.
container_states() {
  local ids
  ids=$(compose "$1" ps -q 2>/dev/null)
  [[ -n "$ids" ]] || return 0
  # shellcheck disable=SC2086 # one argument per id
  docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}' $ids |
    sed 's|^/||'
}

# stack_ready STACK: every container healthy (or running without a health check), every one-shot
# (*-migrate, or `restart: "no"` such as *-postgres-monitor-role) exited 0. Prints what is not
# ready yet on fd 3.
stack_ready() {
  local name state health code restarts policy ready=0
  while read -r name state health code restarts policy; do
    [[ -n "$name" ]] || continue
    if [[ "$name" == *-migrate* || "$policy" == no ]]; then
      [[ "$state" == exited && "$code" == 0 ]] || {
        echo "$name: $state (exit $code)" >&3
        ready=1
      }
    elif [[ "$state" != running || ("$health" != healthy && "$health" != -) ]]; then
      echo "$name: $state/$health (restarts $restarts)" >&3
      ready=1
    fi
  done < <(container_states "$1")
  return "$ready"
}

# wait_ready STACK...: waits until every given stack is ready, or fails with the reasons and logs.
wait_ready() {
  local end=$((SECONDS + HEALTH_TIMEOUT)) stack pending
  while :; do
    pending=""
    for stack in "$@"; do
      pending+=$(stack_ready "$stack" 3>&1 || true)
    done
    [[ -n "$pending" ]] || return 0
    if ((SECONDS >= end)); then
      echo "$pending" >&2
      die "not healthy within ${HEALTH_TIMEOUT}s: $(tr '\n' ' ' <<<"$pending")"
    fi
    sleep 2
  done
}

# wait_healthy STACK SERVICE: waits until the service's container is running and healthy.
wait_healthy() {
  local stack=$1 service=$2 id state
  service_healthy() {
    id=$(compose "$stack" ps -q "$service" 2>/dev/null)
    [[ -n "$id" ]] || return 1
    state=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
    [[ "$state" == running/healthy ]]
  }
  poll "$HEALTH_TIMEOUT" "$stack/$service to be healthy" service_healthy
}

dump_diagnostics() {
  local stack id
  for stack in "${STACKS[@]}"; do
    echo "--- $stack: containers" >&2
    container_states "$stack" >&2 || true
    for id in $(compose "$stack" ps -q 2>/dev/null); do
      echo "--- $(docker inspect -f '{{.Name}}' "$id" | sed 's|^/||'): last log lines" >&2
      docker logs --tail 25 "$id" 2>&1 | cut -c1-400 >&2 || true
    done
  done
}

teardown() {
  local stack
  for stack in im dbu infrastructure-stack; do
    run_compose "$stack" down -v --remove-orphans --timeout 10 >"$LOG_DIR/down-$stack.log" 2>&1 ||
      log "warning: down -v of $stack failed (see $LOG_DIR/down-$stack.log)"
  done
  local net
  for net in is-net dbu-net im-net; do
    docker network rm "$net" >/dev/null 2>&1 || true
  done
}

STACKS_STARTED=0
on_exit() {
  local rc=$?
  stop_drill_helpers
  if [[ $STACKS_STARTED == 1 ]]; then
    [[ $rc -eq 0 ]] || dump_diagnostics
    if [[ "${PJS_KEEP_STACKS:-0}" == 1 ]]; then
      log "PJS_KEEP_STACKS=1: stacks left running (remove them: bash $0 --down)"
    else
      log "tearing down (down -v)"
      teardown
    fi
  fi
  rm -rf "$RUN_DIR"
  if [[ $rc -eq 0 ]]; then
    log "PASS: containers end to end in $(elapsed)"
  else
    log "FAILED after $(elapsed)"
  fi
  exit "$rc"
}

# Refuses to touch compose projects of the same names that this test did not start (a real
# deployment on this host); removes what an interrupted earlier run left behind.
guard_and_clean_leftovers() {
  local stack ids ours
  for stack in im dbu infrastructure-stack; do
    ids=$(docker ps -aq --filter "label=com.docker.compose.project=$stack")
    [[ -n "$ids" ]] || continue
    ours=$(docker ps -aq --filter "label=com.docker.compose.project=$stack" --filter "label=pjs.ci=true")
    [[ -n "$ours" ]] ||
      die "containers of compose project '$stack' exist and were not started by this test (a deployment?); not touching them"
    log "removing the leftovers of an earlier run ($stack)"
    compose "$stack" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  done
  local port
  for port in "$PJS_TEST_IS_PORT" "$PJS_TEST_DBU_PORT" "$PJS_TEST_IM_PORT" 18091 18092 19090; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port 127.0.0.1:$port is in use; the test publishes is-web, dbu-web, im-web and the backup exporters there"
    fi
  done
}

# ---- steps ----------------------------------------------------------------------------------------
preflight() {
  local tool
  for tool in docker docker-compose curl jq node; do
    command -v "$tool" >/dev/null || die "$tool is missing"
  done
  docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (docker info failed)"
  log "docker $(docker version -f '{{.Server.Version}}'), $(docker-compose version --short)"
}

build_images() {
  local ca="" stack started
  # Hosts behind a TLS-inspecting proxy: its CA for the builds' registry traffic (build stage only).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    ca=$(cat /usr/local/share/ca-certificates/*.crt)
  fi
  for stack in "${STACKS[@]}"; do
    started=$SECONDS
    show_compose "$stack" build ${ca:+--build-arg 'BUILD_CA_CERTS=<this host'"'"'s extra CAs>'}
    compose "$stack" build --build-arg "BUILD_CA_CERTS=$ca" >"$LOG_DIR/build-$stack.log" 2>&1 || {
      tail -40 "$LOG_DIR/build-$stack.log" >&2
      die "docker-compose build of $stack failed (log: $LOG_DIR/build-$stack.log)"
    }
    log "built the image of $stack in $((SECONDS - started))s"
  done
  docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^pjs/' | sed 's/^/  /'
  local image version
  for image in pjs/is-web pjs/dbu pjs/im; do
    version=$(docker run --rm --entrypoint node "$image:latest" --version)
    [[ "$version" == v24.* ]] || die "$image runs Node $version, not 24"
    log "node --version in $image: $version"
  done
  # Earlier builds of our images, now untagged, and build cache beyond a few GB.
  docker image prune -f --filter "label=org.opencontainers.image.vendor=PJS Collectables" >/dev/null
  docker builder prune -f --keep-storage 4gb >/dev/null 2>&1 || true
}

up_stacks() {
  log "infrastructure-stack: up is-web (creates is-net, dbu-net, im-net)"
  run_compose infrastructure-stack up -d is-web >"$LOG_DIR/up-infrastructure-stack.log" 2>&1 || {
    cat "$LOG_DIR/up-infrastructure-stack.log" >&2
    die "infrastructure-stack did not start"
  }
  local stack
  for stack in dbu im; do
    run_compose "$stack" up -d >"$LOG_DIR/up-$stack.log" 2>&1 || {
      cat "$LOG_DIR/up-$stack.log" >&2
      die "$stack did not start"
    }
  done
  log "waiting for every container to be healthy (migrations first)"
  wait_ready "${STACKS[@]}"
  log "all containers healthy:"
  for stack in "${STACKS[@]}"; do container_states "$stack" | awk '{print "  " $1 " " $2 "/" $3}'; done
}

# create_user STACK SERVICE USERNAME PASSWORD [--admin]: prints the token create-user printed.
create_user() {
  local stack=$1 service=$2 username=$3 password=$4
  shift 4
  local out
  out=$(compose "$stack" exec -T "$service" node dist/cli.js create-user "$username" "$@" --password-stdin \
    <<<"$password") || die "$stack: create-user $username failed: $out"
  tail -n 1 <<<"$out"
}

ADMIN_PASSWORD=ci-only-admin-password
DBU_TOKEN=""
IM_TOKEN=""

step_users() {
  local im_service_password
  im_service_password=$(sed -n 's/^DBU_PASSWORD=//p' "$DOCKER_TEST_DIR/env/im.env")
  DBU_TOKEN=$(create_user dbu dbu-web ci-admin "$ADMIN_PASSWORD" --admin)
  create_user dbu dbu-web im-service "$im_service_password" >/dev/null
  IM_TOKEN=$(create_user im im-web ci-admin "$ADMIN_PASSWORD" --admin)
  log "users created with the CLI in the containers (dbu: ci-admin, im-service; im: ci-admin)"

  http POST "$DBU_URL/api-token-auth/" "" --data-urlencode username=ci-admin --data-urlencode "password=$ADMIN_PASSWORD"
  expect 200 "dbu POST /api-token-auth/ (form)"
  [[ -n "$(json '.token // empty')" ]] || die "dbu /api-token-auth/ answered no token: $HTTP_BODY"
  http POST "$IM_URL/api/token/" "" -H 'Content-Type: application/json' \
    -d "{\"username\":\"ci-admin\",\"password\":\"$ADMIN_PASSWORD\"}"
  expect 200 "im POST /api/token/ (JSON)"
  [[ -n "$(json '.token // empty')" ]] || die "im /api/token/ answered no token: $HTTP_BODY"
  http GET "$DBU_URL/api/products/" ""
  expect 401 "dbu GET /api/products/ without a token"
  http GET "$IM_URL/api/inventory/" ""
  expect 401 "im GET /api/inventory/ without a token"
  log "token endpoints answer tokens; anonymous API calls are refused (401)"
}

CATALOGUE="" ITEM_A="" ITEM_B="" ITEM_C="" ITEM_D=""

step_catalogue_and_order() {
  CATALOGUE="$RUN_DIR/catalogue.csv"
  node "$REPO_ROOT/scripts/gen-catalogue.mjs" 40 "$CATALOGUE" --seed 7 >/dev/null
  mapfile -t items < <(sed -n '2,5p' "$CATALOGUE" | cut -d';' -f1)
  ITEM_A=${items[0]} ITEM_B=${items[1]} ITEM_C=${items[2]} ITEM_D=${items[3]}

  # An order for two catalogue items before DBU knows them: IM holds them without details.
  local order
  order=$(jq -nc --arg a "$ITEM_A" --arg b "$ITEM_B" '{order_number: "CI-1001", items: [
    {item_no: $a, title: "CI item A", price: "12.50", discount: "5%", quantity: "2", uom: "stk", total: "25.00"},
    {item_no: $b, title: "CI item B", price: "3.10", quantity: "1", uom: "stk", total: "3.10"}]}')
  http POST "$IM_URL/api/receive/" "$IM_TOKEN" -H 'Content-Type: application/json' -d "$order"
  expect 201 "im POST /api/receive/"
  [[ "$(json .status)" == created ]] || die "im /api/receive/ answered $HTTP_BODY"
  http POST "$IM_URL/api/receive/" "$IM_TOKEN" -H 'Content-Type: application/json' -d "$order"
  [[ "$HTTP_STATUS" == 200 || "$HTTP_STATUS" == 201 ]] || die "im /api/receive/ again: HTTP $HTTP_STATUS"
  [[ "$(json .status)" != created ]] || die "the same order_number created a second order"
  log "order CI-1001 received by im-web ($ITEM_A, $ITEM_B); the same order again created nothing"

  # The catalogue import: dbu-web stores the upload, dbu-worker imports it.
  http POST "$DBU_URL/api/imports/" "$DBU_TOKEN" -F "file=@$CATALOGUE;type=text/csv"
  expect 202 "dbu POST /api/imports/ (multipart file)"
  local import_id
  import_id=$(json '.id // .import_id // empty')
  [[ -n "$import_id" ]] || die "dbu /api/imports/ answered no import id: $HTTP_BODY"
  import_finished() {
    http GET "$DBU_URL/api/imports/$import_id/" "$DBU_TOKEN"
    [[ "$HTTP_STATUS" == 200 ]] || return 1
    case "$(json .status)" in
      succeeded) return 0 ;;
      rejected | failed) die "import $import_id ended $(json .status): ${HTTP_BODY:0:600}" ;;
      *) return 1 ;;
    esac
  }
  poll 120 "import $import_id to succeed (GET /api/imports/$import_id/)" import_finished
  http GET "$DBU_URL/api/products/$ITEM_A/" "$DBU_TOKEN"
  expect 200 "dbu GET /api/products/$ITEM_A/"
  log "catalogue of 40 rows imported (import $import_id); dbu-web serves $ITEM_A"
}

# item_json ITEM: the inventory entry of ITEM (empty when absent).
item_json() {
  http GET "$IM_URL/api/inventory/?search=$1&page_size=50" "$IM_TOKEN"
  [[ "$HTTP_STATUS" == 200 ]] || return 0
  jq -c --arg i "$1" '.results[]? | select(.item_no == $i)' <<<"$HTTP_BODY"
}
has_details() { [[ "$(item_json "$1" | jq -r '.details.title // empty')" != "" ]]; }

step_event_and_confirm() {
  # dbu-worker publishes dbu.catalogue.imported to im-rabbitmq over dbu-net; im-worker refreshes
  # the items IM holds.
  both_have_details() { has_details "$ITEM_A" && has_details "$ITEM_B"; }
  poll 90 "im-worker to fill the details of $ITEM_A and $ITEM_B after the import event" both_have_details
  log "import event: im-worker filled the details of $ITEM_A and $ITEM_B from DBU"

  http POST "$IM_URL/api/confirm-item/" "$IM_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"product_no\":\"$ITEM_C\"}"
  [[ "$HTTP_STATUS" == 201 || "$HTTP_STATUS" == 200 ]] ||
    die "im POST /api/confirm-item/ $ITEM_C: HTTP $HTTP_STATUS: ${HTTP_BODY:0:600}"
  has_details "$ITEM_C" || die "confirm-item $ITEM_C: the inventory shows no DBU details"
  http POST "$IM_URL/api/confirm-item/" "$IM_TOKEN" -H 'Content-Type: application/json' \
    -d '{"product_no":"NO-SUCH-ITEM-404"}'
  expect 404 "im POST /api/confirm-item/ for a product DBU does not have"
  log "confirm-item: im-web fetched $ITEM_C from http://dbu-web:8000 over dbu-net (unknown product: 404)"
}

# sync_queue_depth: messages ready in im-rabbitmq's queues bound to im.sync.requested.
sync_queue_depth() {
  compose im exec -T im-rabbitmq rabbitmqctl -q list_queues -p pjs name messages 2>/dev/null |
    awk '$1 ~ /sync/ && $1 !~ /(retry|dlq)/ {n += $2} END {print n + 0}'
}

step_outage() {
  log "outage: im-worker stopped, an order for $ITEM_D, the signal sent while im-rabbitmq is down"
  run_compose im stop im-worker 2>/dev/null
  local order
  order=$(jq -nc --arg d "$ITEM_D" '{order_number: "CI-1002", items: [
    {item_no: $d, title: "CI item D", price: "7.00", quantity: "3", uom: "stk", total: "21.00"}]}')
  http POST "$IM_URL/api/receive/" "$IM_TOKEN" -H 'Content-Type: application/json' -d "$order"
  expect 201 "im POST /api/receive/ (CI-1002)"
  has_details "$ITEM_D" && die "$ITEM_D has details before any sync (test premise broken)"

  run_compose im stop im-rabbitmq 2>/dev/null
  http POST "$IM_URL/api/signal/" "$IM_TOKEN" -H 'Content-Type: application/json' -d '{}'
  expect 202 "im POST /api/signal/ while the broker is down"
  log "signal accepted while the broker is down (202, kept in im-web's outbox)"

  run_compose im start im-rabbitmq 2>/dev/null
  wait_healthy im im-rabbitmq
  signal_queued() { (($(sync_queue_depth) >= 1)); }
  poll 90 "the outbox to deliver the signal to the sync queue after the broker came back" signal_queued
  log "broker back: the signal reached the sync queue ($(sync_queue_depth) message(s) waiting)"

  run_compose im restart im-rabbitmq 2>/dev/null
  wait_healthy im im-rabbitmq
  (($(sync_queue_depth) >= 1)) || die "the queued signal was lost when im-rabbitmq restarted"
  log "broker restarted: the queued signal survived"

  run_compose im start im-worker 2>/dev/null
  wait_healthy im im-worker
  poll 90 "im-worker to fill the details of $ITEM_D after the signal" has_details "$ITEM_D"
  queue_drained() { (($(sync_queue_depth) == 0)); }
  poll 30 "the sync queue to drain" queue_drained
  log "im-worker back: it consumed the signal and filled $ITEM_D; nothing was lost"
}

# The staff admin is in the images: each web app serves its page and hashed assets at /admin/.
step_admin() {
  local name url asset
  for name in dbu im; do
    [[ $name == dbu ]] && url=$DBU_URL || url=$IM_URL
    http GET "$url/admin/" ""
    expect 200 "$name GET /admin/ (the admin page from the image)"
    grep -q "data-service=\"$name\"" <<<"$HTTP_BODY" || die "$name /admin/ is not the $name admin: ${HTTP_BODY:0:300}"
    asset=$(grep -o '/admin/assets/[^"]*\.js' <<<"$HTTP_BODY" | head -1)
    [[ -n "$asset" ]] || die "$name /admin/ names no script: ${HTTP_BODY:0:300}"
    http GET "$url$asset" ""
    expect 200 "$name GET $asset"
  done
  log "dbu-web and im-web serve the staff admin from their images (page and assets)"
}

step_status() {
  # Every stack healthy again after the broker outage (DBU's processes reconnect too).
  wait_ready "${STACKS[@]}"
  status_ok() {
    http GET "$IS_URL/status" ""
    [[ "$HTTP_STATUS" == 200 && "$(json .status)" == ok ]]
  }
  poll 60 "is-web /status to report ok" status_ok
  local name
  for name in dbu-web im-web dbu-worker im-worker rabbitmq; do
    [[ "$(jq -r --arg n "$name" '.targets[] | select(.name == $n) | .up' <<<"$HTTP_BODY")" == true ]] ||
      die "is-web /status: $name is not up: $HTTP_BODY"
  done
  log "is-web (in its container) reports ok: $(jq -r '[.targets[] | "\(.name)=\(if .up then "up" else "down" end)"] | join(" ")' <<<"$HTTP_BODY")"
  http GET "$IS_URL/metrics" ""
  expect 200 "is-web GET /metrics"
  http GET "$DBU_URL/metrics/" ""
  expect 200 "dbu-web GET /metrics/"
  http GET "$IM_URL/metrics/" ""
  expect 200 "im-web GET /metrics/"
}

main() {
  if [[ "${1:-}" == --down ]]; then
    guard_and_clean_leftovers
    teardown
    rm -rf "$RUN_DIR"
    exit 0
  fi
  trap on_exit EXIT
  preflight
  guard_and_clean_leftovers
  bash "$DOCKER_TEST_DIR/build-bases.sh"
  build_images
  STACKS_STARTED=1
  up_stacks
  step_users
  step_catalogue_and_order
  step_event_and_confirm
  step_admin
  step_outage
  step_status
  # The backup drills (docs/operations.md): on by default; PJS_BACKUP_DRILLS=0 leaves them out of a
  # local run, and says so.
  if [[ "${PJS_BACKUP_DRILLS:-1}" == 1 ]]; then
    step_restore_drill
    step_wal_archive_drill
  else
    echo "run-stacks: backup drills NOT RUN in this run (PJS_BACKUP_DRILLS=0)" >&9
  fi
}

main "$@"
