#!/usr/bin/env bash
# scripts/backup-status.sh [STACK...]: the state of the backups of each stack (default: dbu, im and
# infrastructure-stack, those that run here): the last backups of the database (pgbackrest info),
# the WAL archive (last archived segment, lag, failures), the last restic snapshot of each file
# set, the repository's size. Exits 1 when a stack's backup sidecar does not answer.
set -euo pipefail
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "$0")/backup-lib.sh"

status_of() {
  local stack=$1 svc
  svc=$(backup_service "$stack")
  echo "== $stack"
  if ! running "$stack" "$svc"; then
    echo "   backup sidecar $svc: not running"
    return 1
  fi
  if [[ "$stack" != infrastructure-stack ]]; then
    in_backup "$stack" pjs-pgbackrest info --output=json | jq -r '.[0] |
      "   repository: \(.status.message)",
      (.backup[-3:][] | "   \(.type | .[0:4]) \(.label)  \(.timestamp.stop | strftime("%F %T UTC"))  " +
        "db \(.info.size / 1048576 | floor) MiB, stored \(.info.repository.delta / 1048576 | floor) MiB"),
      "   WAL archived: \(.archive[-1].min // "-") .. \(.archive[-1].max // "-")"'
    # shellcheck disable=SC2016 # expanded in the sidecar
    in_backup "$stack" bash -c 'psql -XAtq -h /var/run/postgresql -U "$BACKUP_PG_USER" -d "$BACKUP_STANZA" -f -' <<'SQL'
SELECT format('   WAL archiver: last archived %s (%s s ago), %s failures, last failure %s',
              coalesce(last_archived_wal, '-'),
              coalesce(round(extract(epoch FROM now() - last_archived_time))::text, '-'),
              failed_count, coalesce(last_failed_time::text, 'never'))
  FROM pg_stat_archiver;
SQL
  fi
  in_backup "$stack" pjs-restic snapshots --json 2>/dev/null | jq -r '
    group_by(.tags[0])[] | max_by(.time) | "   files \(.tags[0]): last snapshot \(.time[0:19]) (\(.short_id))"' || true
  in_backup "$stack" du -sh /backup | awk '{print "   backup volume: " $1}'
}

main() {
  local stacks=("$@") rc=0 stack
  if [[ ${#stacks[@]} -eq 0 ]]; then
    for stack in "${BACKUP_STACKS[@]}"; do
      if running "$stack" "$(backup_service "$stack")"; then stacks+=("$stack"); fi
    done
    [[ ${#stacks[@]} -gt 0 ]] || bdie "no backup sidecar runs here"
  fi
  for stack in "${stacks[@]}"; do
    check_stack "$stack"
    status_of "$stack" || rc=1
  done
  return "$rc"
}

main "$@"
