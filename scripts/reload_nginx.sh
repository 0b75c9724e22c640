#!/usr/bin/env bash
# Certbot deploy hook (also fine to run by hand): checks nginx's configuration with `nginx -t`
# and reloads nginx only when the check passes, so a broken certificate or config never takes
# the running proxy down.
set -euo pipefail

readonly PROG=${0##*/}

usage() {
  cat <<EOF
Usage: $PROG [-h]

Runs 'nginx -t' and then 'nginx -s reload' in the nginx container. Used as certbot's
--deploy-hook (see scripts/obtain_cert.sh); certbot sets RENEWED_LINEAGE and RENEWED_DOMAINS.

Environment:
  NGINX_CMD   the nginx command, split on spaces (default: "docker exec nginx nginx")

Exit status: 0 reloaded, 1 configuration invalid or nginx unreachable (nothing reloaded), 2 usage.
EOF
}

if [[ $# -gt 0 ]]; then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "$PROG: unexpected argument '$1'" >&2
      echo "Try '$PROG -h' for help." >&2
      exit 2
      ;;
  esac
fi

read -r -a nginx_cmd <<<"${NGINX_CMD:-docker exec nginx nginx}"
[[ ${#nginx_cmd[@]} -gt 0 ]] || {
  echo "$PROG: error: NGINX_CMD is empty" >&2
  exit 1
}
command -v "${nginx_cmd[0]}" >/dev/null 2>&1 || {
  echo "$PROG: error: '${nginx_cmd[0]}' not found (NGINX_CMD=${nginx_cmd[*]})" >&2
  exit 1
}

if [[ -n ${RENEWED_LINEAGE:-} ]]; then
  echo "$PROG: certificate renewed: ${RENEWED_LINEAGE} (${RENEWED_DOMAINS:-})"
fi

if ! output=$("${nginx_cmd[@]}" -t 2>&1); then
  printf '%s\n' "$output" >&2
  echo "$PROG: error: nginx configuration test failed; nginx NOT reloaded (still serving the previous configuration)" >&2
  exit 1
fi

if ! output=$("${nginx_cmd[@]}" -s reload 2>&1); then
  printf '%s\n' "$output" >&2
  echo "$PROG: error: nginx reload failed" >&2
  exit 1
fi
echo "$PROG: nginx configuration OK, reloaded"
