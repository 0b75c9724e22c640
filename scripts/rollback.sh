#!/usr/bin/env bash
# Rolls a stack back to the tag deployed before the current one (or to a given tag).
#   scripts/rollback.sh [-h] <stack> [tag]
set -euo pipefail

usage() {
  cat <<'EOF_USAGE'
Usage: scripts/rollback.sh [-h] <stack> [tag]

Puts <stack> (infrastructure-stack, dbu or im) back on [tag], by default the tag that was deployed
before the current one (recorded by scripts/deploy.sh in $PJS_DEPLOY_STATE_DIR/<stack>.previous).
Runs scripts/deploy.sh without migrations (they only ever add, so the older release runs on the
newer schema) and without a rollback of the rollback. Same environment as scripts/deploy.sh.
EOF_USAGE
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
esac
if [[ $# -lt 1 || $# -gt 2 ]]; then
  usage >&2
  exit 2
fi
stack=$1
state_dir=${PJS_DEPLOY_STATE_DIR:-/var/lib/pjs/deploy}
tag=${2:-}
if [[ -z "$tag" ]]; then
  [[ -s "$state_dir/$stack.previous" ]] || {
    echo "rollback: no earlier tag recorded for $stack ($state_dir/$stack.previous); give one" >&2
    exit 1
  }
  tag=$(cat "$state_dir/$stack.previous")
fi
current=$(cat "$state_dir/$stack.tag" 2>/dev/null || true)
echo "rollback: $stack from ${current:-unknown} to $tag"
PJS_DEPLOY_SKIP_MIGRATE=1 PJS_DEPLOY_NO_ROLLBACK=1 "$(dirname "$0")/deploy.sh" "$stack" "$tag"
# The release rolled away from becomes the one a later rollback returns to.
if [[ -n "$current" && "$current" != "$tag" ]]; then echo "$current" >"$state_dir/$stack.previous"; fi
