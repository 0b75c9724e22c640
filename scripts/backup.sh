#!/usr/bin/env bash
# scripts/backup.sh STACK [full|diff|files]: a backup now, outside the schedule (the sidecar's
# cron takes them weekly (full) and daily (diff, files) on its own; docs/operations.md "Backups").
#
#   dbu                   pgBackRest backup of the dbu database (diff by default; a diff without
#                         an earlier full is taken as a full) + restic of DBU's media
#   im                    pgBackRest backup of the im database
#   infrastructure-stack  restic of Grafana's data + a Vault raft snapshot (snapshot API)
#   files                 only the file sets (restic), no database backup
#
# Runs the jobs in the stack's backup sidecar (docker-compose exec), so the outcome also lands in
# the backup metrics that Prometheus scrapes.
set -euo pipefail
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "$0")/backup-lib.sh"

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

main() {
  [[ $# -ge 1 && $# -le 2 ]] || {
    usage >&2
    exit 2
  }
  [[ "$1" != -h && "$1" != --help ]] || {
    usage
    exit 0
  }
  local stack=$1 type=${2:-diff}
  check_stack "$stack"
  [[ "$type" =~ ^(full|diff|files)$ ]] || bdie "backup type must be full, diff or files (got '$type')"
  local started=$SECONDS
  case "$stack" in
    dbu | im)
      if [[ "$type" != files ]]; then
        blog "$stack: pgBackRest $type backup"
        in_backup "$stack" pjs-backup db "$type"
      fi
      if [[ "$stack" == dbu ]]; then
        blog "$stack: restic backup of the media"
        in_backup "$stack" pjs-backup files
      fi
      ;;
    infrastructure-stack)
      blog "$stack: restic backup of Grafana's data"
      in_backup "$stack" pjs-backup files
      if [[ "$type" != files ]]; then
        blog "$stack: Vault raft snapshot"
        in_backup "$stack" pjs-backup vault
      fi
      ;;
  esac
  blog "$stack: backup done in $((SECONDS - started))s"
}

main "$@"
