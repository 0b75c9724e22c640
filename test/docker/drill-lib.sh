#!/usr/bin/env bash
# Shared helpers of the deploy and reboot drills (sourced, after lib.sh): the private engine,
# images brought over from the machine's engine, a local registry.

# The drills run against a Docker engine of their own (scripts/private-dockerd.sh): they restart
# it and must not meet other users' containers on the machine's engine.
PRIVATE_DOCKERD="$REPO_ROOT/scripts/private-dockerd.sh"
SHARED_DOCKER_HOST=${PJS_SHARED_DOCKER_HOST:-unix:///var/run/docker.sock}

use_private_engine() {
  bash "$PRIVATE_DOCKERD" start
  eval "$(bash "$PRIVATE_DOCKERD" env)"
  export DOCKER_HOST
  log "engine: $DOCKER_HOST (private; docker $(docker version -f '{{.Server.Version}}'))"
}

# stop_private_engine: at the end of a drill, so it does not hold memory during the rest of the run
# (its images stay in its data root for the next drill). PJS_KEEP_ENGINE=1 leaves it running.
stop_private_engine() {
  [[ "${PJS_KEEP_ENGINE:-0}" == 1 ]] || bash "$PRIVATE_DOCKERD" stop >/dev/null 2>&1 || true
}

# bring_images IMAGE...: each image present on the private engine, copied from the machine's
# engine when it is there (the "docker stacks" step built it), else built here.
bring_images() {
  local image missing=()
  for image in "$@"; do
    docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  local from_shared=()
  for image in "${missing[@]}"; do
    if DOCKER_HOST=$SHARED_DOCKER_HOST docker image inspect "$image" >/dev/null 2>&1; then
      from_shared+=("$image")
    fi
  done
  if [[ ${#from_shared[@]} -gt 0 ]]; then
    log "copying ${from_shared[*]} from the machine's engine"
    DOCKER_HOST=$SHARED_DOCKER_HOST docker save "${from_shared[@]}" | docker load -q >/dev/null
  fi
  for image in "${missing[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 && continue
    log "$image: not on either engine; building the bases and our images here"
    bash "$DOCKER_TEST_DIR/build-bases.sh"
    local stack
    for stack in infrastructure-stack dbu im; do
      (cd "$REPO_ROOT/compose/$stack" &&
        docker-compose -f docker-compose.yml -f docker-compose.override.yml \
          -f "../../test/docker/compose/$stack.test.yml" build >"$LOG_DIR/drill-build-$stack.log" 2>&1) ||
        die "building $stack failed (log: $LOG_DIR/drill-build-$stack.log)"
    done
    break
  done
  for image in "$@"; do
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing"
  done
}

# Debian's docker-registry (bookworm 2.8), unpacked into the tools directory (no service of the
# package is installed or started).
registry_bin() {
  local tools=${PJS_TOOLS_DIR:-$HOME/.cache/pjs-tools} dir
  if [[ -x "$tools/bin/docker-registry" ]]; then
    echo "$tools/bin/docker-registry"
    return
  fi
  if [[ -x /usr/bin/docker-registry ]]; then
    echo /usr/bin/docker-registry
    return
  fi
  dir=$(mktemp -d)
  (cd "$dir" && apt-get download -qq docker-registry >/dev/null 2>&1) ||
    { apt-get update -qq >/dev/null && (cd "$dir" && apt-get download -qq docker-registry >/dev/null); } ||
    die "apt-get download docker-registry failed"
  dpkg-deb -x "$dir"/docker-registry_*.deb "$dir/x"
  mkdir -p "$tools/bin"
  install -m 755 "$dir/x/usr/bin/docker-registry" "$tools/bin/docker-registry"
  rm -rf "$dir"
  echo "$tools/bin/docker-registry"
}

REGISTRY_PID=""
# start_registry PORT DIR: a registry on 127.0.0.1:PORT storing under DIR (the engine trusts
# 127.0.0.0/8 registries over plain HTTP).
start_registry() {
  local port=$1 dir=$2 bin
  bin=$(registry_bin)
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
  "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  local _
  for _ in $(seq 1 30); do
    curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && {
      log "registry: Debian docker-registry $("$bin" --version 2>/dev/null | awk '{print $3}') on 127.0.0.1:$port"
      return 0
    }
    sleep 1
  done
  cat "$dir/registry.log" >&2
  die "the registry did not start"
}
stop_registry() {
  [[ -z "$REGISTRY_PID" ]] || kill "$REGISTRY_PID" 2>/dev/null || true
  REGISTRY_PID=""
}
