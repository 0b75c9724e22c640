#!/usr/bin/env bash
# Compose v2 for our scripts and CI. Sourced (lib.sh, the drills) or run: puts a Compose v2
# `docker-compose` first on PATH, and prints its version when run.
#   1. a `docker-compose` on PATH that is already v2: kept;
#   2. the Docker CLI plugin (`docker compose`, GitHub's runners): a two-line wrapper;
#   3. else Debian trixie's docker-compose 2.x package (bookworm has only the end-of-life 1.29):
#      fetched with apt through a private sources list (the machine's apt configuration is not
#      touched) and unpacked into ${PJS_TOOLS_DIR:-$HOME/.cache/pjs-tools}; `docker compose` too.
# The compose files stay valid for 1.29 and v2 (scripts/ci-compose.sh --check validates both).
_pjs_tools=${PJS_TOOLS_DIR:-$HOME/.cache/pjs-tools}
_pjs_compose_is_v2() { "$1" version --short 2>/dev/null | grep -qE '^v?2\.'; }

_pjs_compose_install() {
  local bin="$_pjs_tools/bin" apt="$_pjs_tools/apt" deb
  mkdir -p "$bin"
  if [[ -x "$bin/docker-compose" ]] && _pjs_compose_is_v2 "$bin/docker-compose"; then return 0; fi
  if command -v docker-compose >/dev/null 2>&1 && _pjs_compose_is_v2 docker-compose; then return 0; fi
  if /usr/bin/docker compose version >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; then
    printf '#!/bin/sh\nexec docker compose "$@"\n' >"$bin/docker-compose"
    chmod 755 "$bin/docker-compose"
    return 0
  fi
  echo "compose: installing Compose v2 from Debian trixie's docker-compose package into $_pjs_tools" >&2
  rm -rf "$apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/unpacked"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${PJS_DEBIAN_MIRROR:-http://deb.debian.org/debian} trixie main" \
    >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  apt-get -qq "${opts[@]}" update >/dev/null
  (cd "$apt" && apt-get -qq "${opts[@]}" download docker-compose >/dev/null)
  deb=$(ls "$apt"/docker-compose_2*.deb)
  dpkg-deb -x "$deb" "$apt/unpacked"
  install -m 755 "$apt/unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$bin/docker-compose"
  mkdir -p "$HOME/.docker/cli-plugins"
  ln -sfn "$bin/docker-compose" "$HOME/.docker/cli-plugins/docker-compose"
  rm -rf "$apt"
  _pjs_compose_is_v2 "$bin/docker-compose"
}

if ! _pjs_compose_install; then
  echo "compose: FAILED to provide Compose v2" >&2
  exit 1
fi
case ":$PATH:" in *":$_pjs_tools/bin:"*) ;; *) PATH="$_pjs_tools/bin:$PATH" ;; esac
export PATH
hash -r

# Run (not sourced): print the version; --check also validates every stack's files with v2 and,
# where installed, with 1.29.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  echo "compose: $(command -v docker-compose): $(docker-compose version --short)"
  if [[ "${1:-}" == --check ]]; then
    cd "$(dirname "$0")/../compose"
    v1=""
    [[ -x /usr/bin/docker-compose ]] && ! _pjs_compose_is_v2 /usr/bin/docker-compose && v1=/usr/bin/docker-compose
    for stack in infrastructure-stack dbu im; do
      for files in "docker-compose.yml docker-compose.override.yml" "docker-compose.yml docker-compose.prod.yml"; do
        args=()
        for f in $files; do args+=(-f "$f"); done
        for tool in docker-compose $v1; do
          (cd "$stack" && PJS_IMAGE_TAG=check "$tool" "${args[@]}" config -q) ||
            { echo "compose: $stack ($files) is invalid for $tool" >&2; exit 1; }
        done
      done
      echo "compose: $stack valid for v2${v1:+ and 1.29} (dev and prod files)"
    done
  fi
fi
