#!/usr/bin/env bash
# Swarm drill (issue 21), run by scripts/ci-swarm-drill.sh, on a private Docker engine of its own
# (scripts/private-dockerd.sh, engine "pjs-swarm"; never the machine's shared engine):
#
#   1. engine + images: pjs/dbu, pjs/im and the base stand-ins copied from the machine's engine;
#      a Redis stand-in (Debian's redis-server, PJS_REDIS_IMAGE) and nginx (Debian sid's 1.30, the
#      tree of scripts/ci-nginx.sh) built here; pjs/im:drill-2 = pjs/im:drill-1 + a label
#   2. docker swarm init, node labels, Docker secrets (test/docker/env + NODE_ENV=production and
#      explicit ADMIN_ALLOWED_IPS / INTERNAL_ALLOWED_IPS)
#   3. scripts/swarm-deploy.sh dbu drill-1 and im drill-1, then im-web scaled to 3, im-worker to 2
#   4. nginx with infrastructure-stack/nginx (templates rendered as the official image does) on
#      the overlays, resolving dbu-web and im-web through Swarm's DNS
#   5. 200 concurrent clients call reduce-stock through nginx while im-web rolls to drill-2
#      (start-first): every call ends 2xx, or 409 on the item meant to run out; 0 oversell;
#      ledger = balance; one ledger row per answered key
#   6. an im-worker task killed in the middle of a sync: the request is redelivered, every item
#      gets its details once, rows committed before the kill are not written again
#   7. teardown, always: docker swarm leave --force, the engine stopped
set -euo pipefail
# shellcheck source=test/docker/lib.sh
source "$(dirname "$0")/lib.sh"
# The drill's own engine, bridge and addresses (10.214/16), apart from the other drills' engine.
export PJS_PRIVATE_DOCKERD=${PJS_SWARM_DOCKERD:-pjs-swarm}
export PJS_PRIVATE_BRIDGE=${PJS_SWARM_BRIDGE:-pjsswarm0}
export PJS_PRIVATE_BIP=${PJS_SWARM_BIP:-10.214.254.1/24}
export PJS_PRIVATE_POOL=${PJS_SWARM_POOL:-10.214.0.0/17}
SWARM_POOL=${PJS_SWARM_ADDR_POOL:-10.214.128.0/17}
DRILL_NET=${PJS_SWARM_NET:-10.214.0.0/16}
# shellcheck source=test/docker/drill-lib.sh
source "$DOCKER_TEST_DIR/drill-lib.sh"

NGINX_PORT=${PJS_SWARM_NGINX_PORT:-28443}
CLIENTS=${PJS_SWARM_CLIENTS:-200}
HOT_STOCK=${PJS_SWARM_HOT_STOCK:-150}
BIG_STOCK=100000
SYNC_ITEMS=${PJS_SWARM_SYNC_ITEMS:-3000}
# Items per DBU request of the sync: small, so the sync lasts long enough (≈ 25 s on a quiet
# 2-core machine; 3000 items in batches of 10 took 5.6 s) to find and kill the worker holding it.
SYNC_BATCH=${PJS_SWARM_SYNC_BATCH:-2}
HEALTH_TIMEOUT=${PJS_HEALTH_TIMEOUT:-300}
RUN_DIR=$(mktemp -d)
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"
NGINX=pjs-swarm-nginx
export PJS_REDIS_IMAGE=local/redis:bookworm
HOT=SWARM-HOT-1 BIG=SWARM-BIG-1

PHASE="" PHASE_AT=$SECONDS
TIMINGS=()
phase() {
  [[ -z "$PHASE" ]] || TIMINGS+=("$PHASE: $((SECONDS - PHASE_AT))s")
  PHASE=$1 PHASE_AT=$SECONDS
  log "=== phase: $PHASE"
}

poll() {
  local timeout=$1 what=$2 end
  shift 2
  end=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < end)) || die "timed out after ${timeout}s: $what"
    sleep 2
  done
}

SWARM_STARTED=0
on_exit() {
  local rc=$?
  set +e
  if [[ $rc -ne 0 && $SWARM_STARTED == 1 ]]; then
    docker service ls >&2
    local s
    for s in $(docker service ls -q 2>/dev/null); do
      echo "--- $(docker service inspect -f '{{.Spec.Name}}' "$s")" >&2
      docker service ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' "$s" 2>&1 | head -6 >&2
      docker service logs --raw --tail 8 "$s" 2>&1 | cut -c1-300 >&2
    done
    docker logs --tail 20 "$NGINX" 2>&1 | cut -c1-300 >&2
  fi
  [[ -z "$PHASE" ]] || TIMINGS+=("$PHASE: $((SECONDS - PHASE_AT))s")
  docker rm -f "$NGINX" >/dev/null 2>&1
  if [[ $SWARM_STARTED == 1 ]]; then
    docker swarm leave --force >/dev/null 2>&1 && log "docker swarm leave --force"
    # Leftovers of the overlays' sandboxes go with the engine's stop.
    docker volume prune -f >/dev/null 2>&1
  fi
  stop_private_engine
  rm -rf "$RUN_DIR"
  local t
  for t in "${TIMINGS[@]}"; do log "  $t"; done
  if [[ $rc -eq 0 ]]; then log "PASS: swarm drill in $(elapsed)"; else log "FAIL: swarm drill after $(elapsed)"; fi
  exit "$rc"
}
trap on_exit EXIT
trap "exit 143" TERM INT HUP

# build_standin IMAGE DIR: a stand-in built from test/docker/images/DIR on the private engine,
# kept while its inputs are unchanged.
build_standin() {
  local image=$1 dir="$DOCKER_TEST_DIR/images/$2" hash have
  hash=$({ docker image inspect -f '{{.Id}}' local/debian:bookworm && cat "$dir"/*; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{ index .Config.Labels "pjs.test.inputs" }}' "$image" 2>/dev/null || true)
  [[ "$have" == "$hash" ]] && return 0
  log "$image: stand-in from Debian's packages ($dir)"
  docker build -q --label "pjs.test.inputs=$hash" -t "$image" "$dir" >"$LOG_DIR/swarm-build-$2.log" 2>&1 ||
    die "building $image failed (log: $LOG_DIR/swarm-build-$2.log)"
}

# nginx_image: Debian sid's nginx (>= 1.27.3, `server ... resolve`) imported from the tree
# scripts/ci-nginx.sh debootstraps; production runs the official nginx:1.28 image.
nginx_image() {
  local wrapper root version
  wrapper=$(bash "$REPO_ROOT/scripts/ci-nginx.sh") || die "scripts/ci-nginx.sh failed"
  root=$(dirname "$wrapper")
  version=$("$wrapper" -v 2>&1 | sed -n 's|.*nginx/||p')
  [[ "$(docker image inspect -f '{{ index .Config.Labels "pjs.nginx.version" }}' local/nginx:sid 2>/dev/null)" == "$version" ]] &&
    return 0
  log "local/nginx:sid: importing $root (nginx $version)"
  tar -C "$root" --exclude=./pjs-nginx -c . |
    docker import --change "LABEL pjs.nginx.version=$version" --change 'CMD ["nginx", "-g", "daemon off;"]' \
      - local/nginx:sid >/dev/null
}

# ctr SERVICE: the id of one running container of a Swarm service.
ctr() {
  docker ps -q --filter "label=com.docker.swarm.service.name=$1" --filter status=running | head -1
}
im_sql() { docker exec -i "$(ctr im_im-postgres)" psql -U im -d im -qAt -v ON_ERROR_STOP=1 "$@"; }

# services_converged: every service has all its replicas running (healthy where it has a check).
services_converged() {
  local line
  while read -r line; do
    [[ "${line%% *}" == "${line##* }" ]] || return 1
  done < <(docker service ls --format '{{.Replicas}}' | sed 's|/| |; s| (.*||')
}

# https_im / https_dbu METHOD PATH [curl args]: through nginx, by server name.
HTTP_STATUS="" HTTP_BODY=""
edge() {
  local host=$1 method=$2 path=$3
  shift 3
  local out
  out=$(curl -sS -k --max-time 60 --resolve "$host:$NGINX_PORT:127.0.0.1" -X "$method" \
    -w '\n%{http_code}' "$@" "https://$host:$NGINX_PORT$path") || out=$'\n000'
  HTTP_STATUS=${out##*$'\n'}
  HTTP_BODY=${out%$'\n'*}
}
expect() { [[ "$HTTP_STATUS" == "$1" ]] || die "$2: expected HTTP $1, got $HTTP_STATUS: ${HTTP_BODY:0:400}"; }

main() {
  command -v node >/dev/null || die "node is missing (source scripts/ci-node.sh)"

  phase "engine and images"
  use_private_engine
  # Leftovers of an interrupted run.
  docker rm -f "$NGINX" >/dev/null 2>&1 || true
  [[ "$(docker info -f '{{.Swarm.LocalNodeState}}')" == inactive ]] || docker swarm leave --force >/dev/null
  docker volume prune -f >/dev/null
  # Our images: the machine's engine has this checkout's build (the "docker stacks" step); one
  # kept in this engine's data root from an earlier run is replaced when that build is newer.
  local image mine theirs
  for image in pjs/dbu:latest pjs/im:latest; do
    mine=$(docker image inspect -f '{{.Created}}' "$image" 2>/dev/null) || continue
    theirs=$(DOCKER_HOST=$SHARED_DOCKER_HOST docker image inspect -f '{{.Created}}' "$image" 2>/dev/null) || continue
    [[ "$theirs" > "$mine" ]] && docker rmi -f "$image" >/dev/null
  done
  bring_images pjs/dbu:latest pjs/im:latest local/debian:bookworm postgres:16-alpine rabbitmq:3.13-alpine
  log "pjs/im:latest built $(docker image inspect -f '{{.Created}}' pjs/im:latest), pjs/dbu:latest $(docker image inspect -f '{{.Created}}' pjs/dbu:latest)"
  build_standin "$PJS_REDIS_IMAGE" redis
  nginx_image
  docker tag pjs/dbu:latest pjs/dbu:drill-1
  docker tag pjs/im:latest pjs/im:drill-1
  # The "new release": the same build with one more label, so the image id differs.
  printf 'FROM pjs/im:drill-1\nLABEL pjs.drill.release=2\n' |
    docker build -q -t pjs/im:drill-2 - >/dev/null || die "building pjs/im:drill-2 failed"
  log "images: $(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E 'pjs/|local/(redis|nginx)' | sort | tr '\n' ' ')"

  phase "swarm init, labels, secrets"
  # Swarm's virtual IPs are IPVS in the kernel; without it (this CI's kernel has no ip_vs) the
  # services resolve to their tasks' addresses instead (docker-stack.yml, PJS_ENDPOINT_MODE).
  if [[ -z "${PJS_ENDPOINT_MODE:-}" ]]; then
    if [[ -d /proc/sys/net/ipv4/vs ]]; then PJS_ENDPOINT_MODE=vip; else PJS_ENDPOINT_MODE=dnsrr; fi
  fi
  export PJS_ENDPOINT_MODE
  log "endpoint mode: $PJS_ENDPOINT_MODE (IPVS in this kernel: $([[ -d /proc/sys/net/ipv4/vs ]] && echo yes || echo no))"
  local addr=${PJS_PRIVATE_BIP%/*}
  docker swarm init --advertise-addr "$addr" --listen-addr "$addr:2477" --data-path-port 4889 \
    --default-addr-pool "$SWARM_POOL" >/dev/null || die "docker swarm init failed"
  SWARM_STARTED=1
  local node
  node=$(docker info -f '{{.Swarm.NodeID}}')
  docker node update --label-add pjs.data.dbu=true --label-add pjs.media.dbu=true \
    --label-add pjs.data.im=true "$node" >/dev/null
  local stack
  for stack in dbu im; do
    {
      cat "$DOCKER_TEST_DIR/env/$stack.env"
      echo "NODE_ENV=production"
      echo "ADMIN_ALLOWED_IPS=$DRILL_NET"
      echo "INTERNAL_ALLOWED_IPS=$DRILL_NET"
      [[ $stack != im ]] || echo "SYNC_BATCH_SIZE=$SYNC_BATCH"
    } | docker secret create "${stack}_app_env" - >/dev/null
    docker secret create "${stack}_postgres_password" "$REPO_ROOT/compose/$stack/dev-secrets/postgres_password" >/dev/null
  done
  docker secret create im_rabbitmq_user_conf "$REPO_ROOT/compose/im/dev-secrets/rabbitmq-default-user.conf" >/dev/null
  log "swarm: node $node ($addr), labels pjs.data.dbu pjs.media.dbu pjs.data.im; secrets: $(docker secret ls --format '{{.Name}}' | tr '\n' ' ')"

  phase "deploy dbu and im (scripts/swarm-deploy.sh)"
  # One task each at first (2 cores); im-web and im-worker are scaled out below. The apps'
  # healthchecks (node -e fetch) take seconds on a CI machine shared by many: longer timeouts.
  export PJS_HEALTHCHECK_TIMEOUT=${PJS_HEALTHCHECK_TIMEOUT:-20s}
  export PJS_HEALTHCHECK_START_PERIOD=${PJS_HEALTHCHECK_START_PERIOD:-180s}
  export DBU_WEB_REPLICAS=1 DBU_WORKER_REPLICAS=1 IM_WEB_REPLICAS=1 IM_WORKER_REPLICAS=1
  for stack in dbu im; do
    bash "$REPO_ROOT/scripts/swarm-deploy.sh" "$stack" drill-1 >"$LOG_DIR/swarm-deploy-$stack.log" 2>&1 || {
      cat "$LOG_DIR/swarm-deploy-$stack.log" >&2
      die "swarm-deploy.sh $stack drill-1 failed"
    }
    log "$stack: $(grep -c . "$LOG_DIR/swarm-deploy-$stack.log") lines of swarm-deploy.sh; $(tail -1 "$LOG_DIR/swarm-deploy-$stack.log")"
  done
  poll "$HEALTH_TIMEOUT" "every service converged" services_converged

  phase "nginx on the overlays"
  start_nginx
  edge_ready() {
    edge im.localhost GET /health/
    [[ "$HTTP_STATUS" == 200 ]]
  }
  poll 60 "nginx to answer im-web's /health/" edge_ready

  phase "users and data"
  seed_data

  # Scaled out after the catalogue import: the new im-worker's start-up reconcile of DBU's changes
  # feed moves IM's cursor past the import (IM holds none of its items yet), so the sync below is
  # the only writer of those items' details.
  phase "scale im-web to 3, im-worker to 2"
  docker service scale im_im-web=3 im_im-worker=2 >/dev/null 2>&1 || die "docker service scale failed"
  poll "$HEALTH_TIMEOUT" "im-web at 3 and im-worker at 2" services_converged
  log "services: $(docker service ls --format '{{.Name}}={{.Replicas}}' | sort | tr '\n' ' ')"

  phase "reduce-stock x$CLIENTS clients while im-web rolls to drill-2"
  load_during_update

  phase "im-worker killed mid-sync"
  worker_kill_mid_sync

  phase "teardown"
}

# start_nginx: infrastructure-stack/nginx rendered as the official image renders it (templates
# through envsubst with the ^PJS_ filter, allowlists by entrypoint/15-pjs-allowlists.sh), a
# self-signed certificate, then a container on is-net, dbu-net and im-net.
start_nginx() {
  local conf="$RUN_DIR/nginx" src="$REPO_ROOT/infrastructure-stack/nginx" f
  mkdir -p "$conf/conf.d" "$conf/tls" "$RUN_DIR/nginx-logs"
  cp -r "$src/nginx.conf" "$src/snippets" "$src/allowlists" "$conf/"
  docker run --rm local/nginx:sid cat /etc/nginx/mime.types >"$conf/mime.types"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=pjs-drill \
    -addext 'subjectAltName=DNS:im.localhost,DNS:dbu.localhost,DNS:status.localhost' \
    -keyout "$conf/tls/privkey.pem" -out "$conf/tls/fullchain.pem" >/dev/null 2>&1 || die "openssl failed"
  chmod 644 "$conf/tls/privkey.pem"
  (
    export PJS_HTTP_PORT=80 PJS_HTTPS_PORT=443 PJS_STATUS_PORT=8081 PJS_ACME_ROOT=/var/www/certbot \
      PJS_TLS_DIR=/etc/nginx/tls PJS_SERVER_NAME_STATUS=status.localhost PJS_SERVER_NAME_DBU=dbu.localhost \
      PJS_SERVER_NAME_IM=im.localhost PJS_UPSTREAM_IS=is-web:8000 PJS_UPSTREAM_DBU=dbu-web:8000 \
      PJS_UPSTREAM_IM=im-web:8000
    vars=$(env | sed -n 's/^\(PJS_[A-Z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
    for f in "$src"/templates/*.template; do
      # shellcheck disable=SC2094 # reads templates/, writes conf.d/
      envsubst "$vars" <"$f" >"$conf/conf.d/$(basename "$f" .template)"
    done
    # shellcheck disable=SC2016 # a literal ${PJS_ left over
    ! grep -n '\${\?PJS_' "$conf"/conf.d/*.conf || exit 1
    PJS_ALLOWLIST_DIR="$conf/conf.d/allowlists" PJS_ADMIN_ALLOWED_IPS=$DRILL_NET \
      PJS_INTERNAL_ALLOWED_IPS=$DRILL_NET PJS_NODE_ENV=production sh "$src/entrypoint/15-pjs-allowlists.sh" >/dev/null
  ) || die "rendering infrastructure-stack/nginx failed"
  # Debian's nginx runs its workers as www-data (the official image: nginx).
  sed -i 's/^user nginx;$/user www-data;/' "$conf/nginx.conf"
  grep -q '^user www-data;' "$conf/nginx.conf" || die "nginx.conf: no 'user nginx;' line to adapt"
  docker create --name "$NGINX" --network is-net -p "127.0.0.1:$NGINX_PORT:443" \
    -v "$conf:/etc/nginx:ro" -v "$RUN_DIR/nginx-logs:/var/log/nginx" --tmpfs /run --tmpfs /var/lib/nginx --tmpfs /var/cache/nginx \
    local/nginx:sid nginx -g 'daemon off;' >/dev/null
  docker network connect dbu-net "$NGINX"
  docker network connect im-net "$NGINX"
  docker start "$NGINX" >/dev/null
  sleep 2
  [[ "$(docker inspect -f '{{.State.Running}}' "$NGINX")" == true ]] || {
    docker logs "$NGINX" >&2
    die "nginx did not start"
  }
  log "nginx $(docker exec "$NGINX" nginx -v 2>&1 | sed 's|.*/||') with infrastructure-stack/nginx on is-net, dbu-net, im-net; https://127.0.0.1:$NGINX_PORT"
}

IM_TOKEN="" DBU_TOKEN=""
seed_data() {
  local out
  out=$(docker exec -i "$(ctr im_im-web)" node dist/cli.js create-user drill-admin --admin --password-stdin \
    <<<"drill-admin-password-1") || die "im create-user failed: $out"
  IM_TOKEN=$(tail -1 <<<"$out")
  out=$(docker exec -i "$(ctr dbu_dbu-web)" node dist/cli.js create-user drill-admin --admin --password-stdin \
    <<<"drill-admin-password-1") || die "dbu create-user failed: $out"
  DBU_TOKEN=$(tail -1 <<<"$out")
  docker exec -i "$(ctr dbu_dbu-web)" node dist/cli.js create-user im-service --password-stdin \
    <<<"$(sed -n 's/^DBU_PASSWORD=//p' "$DOCKER_TEST_DIR/env/im.env")" >/dev/null || die "dbu create-user im-service failed"
  log "users: drill-admin in im and dbu, im-service in dbu (node dist/cli.js create-user in a task's container)"

  # DBU's catalogue first (IM holds none of its items yet, so the import event changes nothing).
  node "$REPO_ROOT/scripts/gen-catalogue.mjs" "$SYNC_ITEMS" "$RUN_DIR/catalogue.csv" --seed 21 >/dev/null
  edge dbu.localhost POST /api/imports/ -H "Authorization: Token $DBU_TOKEN" -F "file=@$RUN_DIR/catalogue.csv;type=text/csv"
  expect 202 "dbu POST /api/imports/ through nginx"
  local import_id
  import_id=$(jq -r '.id // .import_id' <<<"$HTTP_BODY")
  import_done() {
    edge dbu.localhost GET "/api/imports/$import_id/" -H "Authorization: Token $DBU_TOKEN"
    case "$(jq -r .status <<<"$HTTP_BODY" 2>/dev/null)" in
      succeeded) return 0 ;;
      rejected | failed) die "import $import_id: $HTTP_BODY" ;;
      *) return 1 ;;
    esac
  }
  poll 180 "the catalogue import of $SYNC_ITEMS rows" import_done
  log "dbu: catalogue of $SYNC_ITEMS items imported through nginx (import $import_id, dbu-worker)"

  # The stock of the load: HOT runs out (409 once empty), BIG does not.
  local order
  order=$(jq -nc --arg h "$HOT" --arg b "$BIG" --arg hq "$HOT_STOCK" --arg bq "$BIG_STOCK" '{order_number: "SWARM-1",
    items: [{item_no: $h, title: "Swarm hot item", price: "1.00", quantity: $hq, uom: "stk", total: "1.00"},
            {item_no: $b, title: "Swarm big item", price: "1.00", quantity: $bq, uom: "stk", total: "1.00"}]}')
  edge im.localhost POST /api/receive/ -H "Authorization: Token $IM_TOKEN" -H 'Content-Type: application/json' -d "$order"
  expect 201 "im POST /api/receive/ through nginx"
  local q
  q=$(im_sql -c "SELECT string_agg(item_no || '=' || quantity, ' ' ORDER BY item_no) FROM items WHERE item_no IN ('$HOT', '$BIG')")
  [[ "$q" == "$BIG=$BIG_STOCK $HOT=$HOT_STOCK" ]] || die "after receive: $q"
  log "im: received $HOT=$HOT_STOCK, $BIG=$BIG_STOCK through nginx"
}

load_during_update() {
  local stop="$RUN_DIR/load.stop" result="$RUN_DIR/load.json" load_pid before_image
  before_image=$(docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' im_im-web)
  node "$DOCKER_TEST_DIR/swarm-load.mjs" --url "https://127.0.0.1:$NGINX_PORT" --host im.localhost \
    --token "$IM_TOKEN" --clients "$CLIENTS" --items "$HOT,$BIG" --stop-file "$stop" >"$result" 2>"$RUN_DIR/load.err" &
  load_pid=$!
  sleep 3
  local t0=$SECONDS
  docker service update --detach --image pjs/im:drill-2 im_im-web >/dev/null || die "docker service update failed"
  log "im_im-web: update ${before_image%@*} -> pjs/im:drill-2 started (start-first, one task at a time) under load"
  update_done() {
    local state
    state=$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' im_im-web)
    case "$state" in
      completed) return 0 ;;
      rollback_* | paused) die "the update of im_im-web ended '$state': $(docker service inspect -f '{{.UpdateStatus.Message}}' im_im-web)" ;;
      *) return 1 ;;
    esac
  }
  poll "$HEALTH_TIMEOUT" "the rolling update of im_im-web" update_done
  poll 60 "im_im-web at 3 tasks on drill-2" services_converged
  local update_s=$((SECONDS - t0)) tasks
  tasks=$(docker service ps -f desired-state=running --format '{{.Image}}' im_im-web | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  log "update completed in ${update_s}s; running tasks:$tasks"
  [[ "$tasks" == " 3 pjs/im:drill-2;" ]] || die "im_im-web tasks after the update: $tasks"
  touch "$stop"
  wait "$load_pid" || {
    cat "$RUN_DIR/load.err" >&2
    die "the load client failed"
  }
  local s
  s=$(cat "$result")
  log "load: $(jq -r '"\(.calls) calls, \(.attempts) attempts in \((.lastAt - .firstAt) / 1000)s; \(.retried) calls needed a retry (\(.replayed) answered by a stored answer); retries by reason: \(.retries | tostring)"' <<<"$s")"
  log "load: per item $(jq -c .perItem <<<"$s")"
  if [[ "$(jq '.failed | length' <<<"$s")" != 0 ]]; then
    # What im-web logged for them (the tasks' logs go with the swarm at teardown).
    local id
    for id in $(jq -r '.failed[:5][] | .body | fromjson? | .request_id // empty' <<<"$s"); do
      docker service logs --raw im_im-web 2>/dev/null | grep -F "$id" | grep -v '"msg":"request"' | head -3 | cut -c1-800 >&2
    done
    docker service logs --raw im_im-web 2>/dev/null | grep '"level":"error"' | tail -5 | cut -c1-800 >&2
    die "$(jq '.failed | length' <<<"$s") failed calls: $(jq -c '.failed[:5]' <<<"$s")"
  fi
  (($(jq .calls <<<"$s") >= CLIENTS)) || die "fewer than $CLIENTS calls made"
  [[ "$(jq --arg b "$BIG" '.perItem[$b].insufficient' <<<"$s")" == 0 ]] || die "$BIG answered 409 with stock left"

  # The database: 0 oversell, ledger = balance, one reduce row per call answered 2xx.
  local hot_ok big_ok row
  hot_ok=$(jq --arg h "$HOT" '.perItem[$h].ok' <<<"$s")
  big_ok=$(jq --arg b "$BIG" '.perItem[$b].ok' <<<"$s")
  for row in "$HOT:$HOT_STOCK:$hot_ok" "$BIG:$BIG_STOCK:$big_ok"; do
    IFS=: read -r item stock ok <<<"$row"
    local qty ledger reduces
    IFS='|' read -r qty ledger reduces < <(im_sql -c "SELECT i.quantity,
        (SELECT coalesce(sum(amount), 0) FROM stock_movements m WHERE m.item_id = i.id),
        (SELECT count(*) FROM stock_movements m WHERE m.item_id = i.id AND m.type = 'reduce')
      FROM items i WHERE i.item_no = '$item'")
    ((qty >= 0)) || die "$item: oversold, quantity $qty"
    [[ "$ledger" == "$qty" ]] || die "$item: ledger sum $ledger != balance $qty"
    [[ "$reduces" == "$ok" ]] || die "$item: $reduces reduce rows in the ledger for $ok calls answered 2xx (a retry applied twice?)"
    [[ "$qty" == "$((stock - ok))" ]] || die "$item: balance $qty != $stock - $ok"
    log "$item: balance $qty = ledger $ledger; $reduces reduce rows = $ok calls answered 2xx; 0 oversell"
  done
  [[ "$(im_sql -c "SELECT quantity FROM items WHERE item_no = '$HOT'")" == 0 || "$hot_ok" -lt "$HOT_STOCK" ]] ||
    die "$HOT: inconsistent"
  local upstream5xx
  upstream5xx=$(grep -c '"status":50[234]' "$RUN_DIR/nginx-logs/access.log" || true)
  log "nginx access log: $(grep -c . "$RUN_DIR/nginx-logs/access.log") requests, $upstream5xx answered 502/503/504 (retried by the clients)"
}

# missing_sync_progress CONTAINER: "done total" of the im-worker's current (or last) sync of
# missing details, from its metrics listener (:9102, im_sync_run_items_done / im_sync_run_items).
missing_sync_progress() {
  docker exec "$1" node -e '
    fetch("http://127.0.0.1:9102/metrics").then((r) => r.text()).then((text) => {
      const value = (name) => {
        const line = text.split("\n").find((l) => l.startsWith(name + "{") && l.includes("kind=\"missing\""));
        return line ? Number(line.split(" ").pop()) : 0;
      };
      console.log(value("im_sync_run_items_done"), value("im_sync_run_items"));
    })' 2>/dev/null || true
}

worker_kill_mid_sync() {
  # IM holds the catalogue's items without details (as after orders DBU did not know yet).
  im_sql -c "INSERT INTO items (item_no, title) SELECT split_part(l, ';', 1), 'from order'
      FROM unnest(string_to_array(\$\$$(sed 1d "$RUN_DIR/catalogue.csv" | cut -d';' -f1)\$\$, E'\\n')) AS l
      WHERE l <> '' ON CONFLICT DO NOTHING" || die "seeding IM's items failed"
  local before
  before=$(im_sql -c "SELECT count(*) FROM item_details")
  edge im.localhost POST /api/signal/ -H "Authorization: Token $IM_TOKEN" -H 'Content-Type: application/json' -d '{}'
  expect 202 "im POST /api/signal/ through nginx"
  local event_id
  event_id=$(jq -r .event_id <<<"$HTTP_BODY")
  log "signal $event_id queued: sync of $SYNC_ITEMS items in batches of $SYNC_BATCH ($before with details)"

  # The worker holding the message: the one whose sync of missing details is under way (its
  # progress gauges, read from each task's metrics port: 0 < done < total). The consumer acks
  # only after the whole run, so that worker holds the message unacknowledged until it ends.
  # (Asking RabbitMQ instead costs seconds per rabbitmqctl call inside a CPU-limited container,
  # and a 25 s sync could end before two of them had answered.)
  local holder="" n=0 progress="" end=$((SECONDS + 120))
  while ((SECONDS < end)); do
    n=$(im_sql -c "SELECT count(*) FROM item_details")
    ((n < SYNC_ITEMS)) ||
      die "the sync finished before a worker was seen holding it: lower PJS_SWARM_SYNC_BATCH or raise PJS_SWARM_SYNC_ITEMS"
    local c
    for c in $(docker ps -q --filter label=com.docker.swarm.service.name=im_im-worker --filter status=running); do
      progress=$(missing_sync_progress "$c")
      if [[ $progress =~ ^([0-9]+)\ ([0-9]+)$ ]] && ((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] < BASH_REMATCH[2])); then
        holder=$c
        break 2
      fi
    done
    sleep 0.2
  done
  [[ -n "$holder" ]] || die "no im-worker task was seen holding the sync message ($n details)"
  docker kill "$holder" >/dev/null
  local killed_at
  killed_at=$(im_sql -c "SELECT count(*) FROM item_details")
  ((killed_at < SYNC_ITEMS)) || die "the sync finished before the kill ($killed_at): raise PJS_SWARM_SYNC_ITEMS"
  im_sql -c "SELECT item_no || ' ' || synced_at FROM item_details ORDER BY item_no" >"$RUN_DIR/details-at-kill"
  log "docker kill ${holder:0:12} (the im-worker task holding the message, its run at ${progress/ //}) with $killed_at/$SYNC_ITEMS items synced"

  all_synced() { (($(im_sql -c "SELECT count(*) FROM item_details") >= SYNC_ITEMS)); }
  poll 240 "the redelivered sync to finish" all_synced
  processed() { [[ "$(im_sql -c "SELECT count(*) FROM processed_messages WHERE consumer = 'im.sync-requests' AND message_id = '$event_id'")" == 1 ]]; }
  poll 60 "the sync request to be recorded as processed once" processed
  local total distinct
  IFS='|' read -r total distinct < <(im_sql -c "SELECT count(*), count(DISTINCT item_no) FROM item_details")
  [[ "$total" == "$distinct" && "$total" == "$SYNC_ITEMS" ]] || die "item_details: $total rows, $distinct items, $SYNC_ITEMS expected"
  local changed
  changed=$(im_sql -c "SELECT item_no || ' ' || synced_at FROM item_details ORDER BY item_no" |
    comm -13 - "$RUN_DIR/details-at-kill" | wc -l)
  [[ "$changed" == 0 ]] || die "$changed items committed before the kill were synced again"
  poll 120 "im_im-worker back at 2 tasks" services_converged
  log "redelivered: $SYNC_ITEMS items with details once each ($killed_at before the kill kept their synced_at), the request processed once; im-worker back at 2"
}

main "$@"
