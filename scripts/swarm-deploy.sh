#!/usr/bin/env bash
# Deploys a project stack (dbu or im) to Docker Swarm at an image tag:
#   scripts/swarm-deploy.sh <dbu|im> <tag>
# 1. creates the attachable overlay networks the stacks and nginx share (is-net, dbu-net, im-net)
#    and the stack's internal data network, when missing;
# 2. runs the stack's migrations once, as a Swarm job on the new image, and waits for it;
# 3. deploys compose/<stack>/docker-stack.yml: services roll one task at a time, the new task
#    first, and roll back by themselves when the new one does not become healthy.
# Env: PJS_REGISTRY (default pjs), MIGRATE_TIMEOUT seconds (default 600), PJS_ENDPOINT_MODE (vip, or
# dnsrr where the kernel has no IPVS). Needs a manager node.
set -euo pipefail
cd "$(dirname "$0")/.."

stack=${1:-}
tag=${2:-}
case "$stack" in dbu | im) ;; *)
  echo "usage: $0 <dbu|im> <tag>" >&2
  exit 64
  ;;
esac
[[ -n "$tag" ]] || {
  echo "usage: $0 <dbu|im> <tag>" >&2
  exit 64
}
registry=${PJS_REGISTRY:-pjs}
image="$registry/$stack:$tag"

[[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" == active ]] || {
  echo "swarm-deploy: this Docker engine is not part of a swarm (docker swarm init / join)" >&2
  exit 69
}

ensure_network() { # name, extra args
  local name=$1
  shift
  local driver
  driver=$(docker network inspect --format '{{.Driver}}' "$name" 2>/dev/null || true)
  if [[ -z "$driver" ]]; then
    docker network create --driver overlay --attachable "$@" "$name" >/dev/null
    echo "swarm-deploy: created overlay network $name"
  elif [[ "$driver" != overlay ]]; then
    echo "swarm-deploy: network $name exists with driver $driver; stop the compose stacks using it first" >&2
    exit 1
  fi
}
for net in is-net dbu-net im-net; do ensure_network "$net"; done
ensure_network "$stack-data" --internal

# First deploy: the migration job needs the database, which the stack itself runs. The stack goes
# up with its apps at 0 replicas (data services only) and the job waits for the database.
db="${stack}_${stack}-postgres"
if ! docker service inspect "$db" >/dev/null 2>&1; then
  echo "swarm-deploy: first deploy of $stack: its data services first"
  up=${stack^^}
  env "${up}_WEB_REPLICAS=0" "${up}_WORKER_REPLICAS=0" PJS_IMAGE_TAG="$tag" PJS_REGISTRY="$registry" \
    docker stack deploy --with-registry-auth -c "compose/$stack/docker-stack.yml" "$stack" >/dev/null
  deadline=$((SECONDS + ${MIGRATE_TIMEOUT:-600}))
  until [[ "$(docker service ls --filter "name=$db" --format '{{.Replicas}}')" == 1/1* ]]; do
    ((SECONDS < deadline)) || {
      echo "swarm-deploy: $db did not become healthy" >&2
      exit 1
    }
    sleep 2
  done
fi

# The migrations run once, before any task of the new release starts.
job="$stack-migrate-$(date +%s)"
echo "swarm-deploy: migrating with $image"
docker service create --quiet --detach --name "$job" --mode replicated-job \
  --restart-condition on-failure --restart-max-attempts 2 \
  --endpoint-mode "${PJS_ENDPOINT_MODE:-vip}" --network "$stack-data" --secret "${stack}_app_env" \
  --env "ENV_FILE=/run/secrets/${stack}_app_env" --env NODE_ENV=production \
  --read-only --mount type=tmpfs,destination=/tmp \
  "$image" node dist/cli.js migrate >/dev/null
deadline=$((SECONDS + ${MIGRATE_TIMEOUT:-600}))
state=""
while ((SECONDS < deadline)); do
  state=$(docker service ps --no-trunc --format '{{.CurrentState}}|{{.Error}}' "$job" | head -1)
  case "$state" in
    Complete*) break ;;
    Failed* | Rejected*) ;;
  esac
  if [[ "$(docker service ps --format '{{.CurrentState}}' "$job" | grep -c '^Failed\|^Rejected')" -ge 3 ]]; then break; fi
  sleep 2
done
logs=$(docker service logs --raw "$job" 2>&1 | tail -20 || true)
docker service rm "$job" >/dev/null
if [[ "$state" != Complete* ]]; then
  echo "swarm-deploy: migration did not complete ($state); nothing was rolled out" >&2
  echo "$logs" >&2
  exit 1
fi
echo "swarm-deploy: migrations current"

PJS_IMAGE_TAG="$tag" PJS_REGISTRY="$registry" \
  docker stack deploy --prune --with-registry-auth -c "compose/$stack/docker-stack.yml" "$stack"
echo "swarm-deploy: $stack rolling to $tag (docker service ls; failed health rolls back by itself)"
