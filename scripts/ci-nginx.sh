#!/usr/bin/env bash
# Provides an nginx that can run our configuration: >= 1.27.3 (`server ... resolve` in upstreams,
# open source since then; production runs the official nginx:1.28 image). Debian bookworm's
# nginx is 1.22, so this debootstraps Debian sid's nginx (1.30) into a directory and writes a
# wrapper that runs it through sid's own dynamic loader and libraries: no chroot, the binary
# reads and writes host paths (the tests' temp dirs). Idempotent: prints the wrapper's path.
#
#   PJS_NGINX_ROOT   where the sid tree goes (default /var/cache/pjs/nginx-sid)
#   DEBIAN_MIRROR    default http://deb.debian.org/debian
#
# The infrastructure tests use $PJS_NGINX_ROOT/pjs-nginx (or PJS_NGINX_BIN if set).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/ci-nginx.sh [-h]

Debootstraps Debian sid's nginx into $PJS_NGINX_ROOT (default /var/cache/pjs/nginx-sid) unless
it is there, and prints the path of the wrapper ($PJS_NGINX_ROOT/pjs-nginx). Needs root and
debootstrap the first time.
USAGE
}

if [[ $# -gt 0 ]]; then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "ci-nginx.sh: unexpected argument '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
fi

root=${PJS_NGINX_ROOT:-/var/cache/pjs/nginx-sid}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
wrapper="$root/pjs-nginx"

if [[ ! -x "$root/usr/sbin/nginx" ]]; then
  command -v debootstrap >/dev/null || {
    echo "ci-nginx.sh: debootstrap is missing (apt-get install debootstrap)" >&2
    exit 1
  }
  [[ $(id -u) -eq 0 ]] || {
    echo "ci-nginx.sh: debootstrap needs root" >&2
    exit 1
  }
  rm -rf "$root"
  mkdir -p "$root"
  log="$(dirname "$root")/nginx-sid-debootstrap.log"
  echo "ci-nginx.sh: debootstrap --variant=minbase --include=nginx sid $root (log: $log)" >&2
  debootstrap --variant=minbase --include=nginx sid "$root" "$mirror" >"$log" 2>&1 || {
    tail -20 "$log" >&2
    exit 1
  }
fi

cat >"$wrapper" <<WRAPPER
#!/bin/sh
# Debian sid's nginx run through sid's loader and libraries (written by scripts/ci-nginx.sh).
exec "$root/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" "$root/usr/sbin/nginx" "\$@"
WRAPPER
chmod 0755 "$wrapper"
"$wrapper" -v 2>&1 | grep -q 'nginx/' || {
  echo "ci-nginx.sh: $wrapper does not run" >&2
  exit 1
}
echo "$wrapper"
