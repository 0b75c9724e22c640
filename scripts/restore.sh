#!/usr/bin/env bash
# scripts/restore.sh STACK [--to 'YYYY-MM-DD HH:MM:SS+00'] [--yes] [--check COMMAND]
#
# Restores a stack from its backups into fresh volumes and starts it on them
# (docs/operations.md "Restore a database to a moment"):
#   dbu, im   the database with pgBackRest: the backup before the moment plus the archived WAL up
#             to it (without --to: up to the last archived WAL); then, for dbu, the media from the
#             last restic snapshot taken at or before the moment, photos whose files that snapshot
#             lacks are queued for fetching again, and IM's view of the catalogue is resynced.
#   infrastructure-stack  Grafana's data from the last snapshot at or before the moment, and the
#             Vault raft snapshot extracted to a file (restored with `vault operator raft snapshot
#             restore`, which needs an unsealed Vault and a root token: see the runbook).
#
# --check COMMAND runs COMMAND on the host once the database has recovered and before the apps
# start (they write at start-up): a look at the data exactly as restored; the restore stops when it
# fails. It REPLACES the stack's data volumes: without --yes it asks first. The backup repository is left
# as it is (the restored database archives onto a new timeline). Prints the time it took (RTO).
set -euo pipefail
# shellcheck source=scripts/backup-lib.sh
source "$(dirname "$0")/backup-lib.sh"

HEALTH_TIMEOUT=${PJS_RESTORE_HEALTH_TIMEOUT:-600}

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

# db_user STACK: the database's superuser (POSTGRES_USER of the compose file).
db_user() { echo "$1"; }

# stack_services STACK: services the restore stops and recreates (not the Vault Agent, whose
# wrapped secret id is used once, nor the broker).
stack_services() {
  stack_compose "$1" config --services | grep -v -E -- '-vault-agent$|-rabbitmq$'
}

remove_volume() {
  local volume=$1
  if docker volume inspect "$volume" >/dev/null 2>&1; then
    docker volume rm "$volume" >/dev/null || bdie "could not remove the volume $volume (still in use?)"
    blog "removed the volume $volume"
  fi
}

# wait_stack_healthy STACK: every container of the stack running (healthy where it has a health
# check), every one-shot *-migrate exited 0.
wait_stack_healthy() {
  local stack=$1 end=$((SECONDS + HEALTH_TIMEOUT)) id line pending
  while :; do
    pending=""
    for id in $(stack_compose "$stack" ps -q); do
      line=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}}' "$id")
      read -r name state health code <<<"$line"
      if [[ "$name" == *-migrate* ]]; then
        if [[ "$state" == exited && "$code" != 0 ]]; then bdie "$name exited $code"; fi
        [[ "$state" == exited ]] || pending+="$name:$state "
      elif [[ "$state" != running || ("$health" != healthy && "$health" != -) ]]; then
        pending+="$name:$state/$health "
      fi
    done
    [[ -n "$pending" ]] || return 0
    ((SECONDS < end)) || bdie "$stack not healthy within ${HEALTH_TIMEOUT}s: $pending"
    sleep 2
  done
}

restore_database() {
  local stack=$1 to=$2 to_epoch=$3 check=$4
  local db="$stack-postgres" svc project
  svc=$(backup_service "$stack")
  project=$(project_name "$stack")

  blog "$stack: checking the repository"
  local info
  info=$(in_backup "$stack" pjs-pgbackrest info --output=json) || bdie "$stack: pgbackrest info failed"
  local count
  count=$(jq '.[0].backup | length' <<<"$info")
  ((count > 0)) || bdie "$stack: the repository holds no backup"
  if [[ -n "$to" ]]; then
    local first
    first=$(jq '[.[0].backup[] | select(.type == "full") | .timestamp.stop] | min' <<<"$info")
    ((first <= to_epoch)) || bdie "$stack: no full backup ended before $to (the first ended $(date -u -d "@$first" '+%F %T%z'))"
  fi

  blog "$stack: stopping the stack"
  local services
  mapfile -t services < <(stack_services "$stack")
  stack_compose "$stack" stop --timeout 30 "${services[@]}" >&2
  stack_compose "$stack" rm -f "${services[@]}" >&2

  remove_volume "${project}_${stack}_pgdata"
  remove_volume "${project}_${stack}_pgrun"

  local args=()
  if [[ -n "$to" ]]; then args=(--type=time "--target=$to" --target-action=promote); fi
  blog "$stack: pgbackrest restore ${args[*]:-(to the end of the archived WAL)}"
  stack_compose "$stack" run --rm --no-deps -T -u postgres "$svc" pjs-pgbackrest restore "${args[@]}" >&2 ||
    bdie "$stack: pgbackrest restore failed"

  if [[ "$stack" == dbu ]]; then restore_media "$project" "$to_epoch"; fi

  blog "$stack: starting PostgreSQL (WAL replay${to:+ up to $to})"
  stack_compose "$stack" up -d --no-deps "$db" >&2
  local end=$((SECONDS + HEALTH_TIMEOUT)) state
  until state=$(stack_compose "$stack" exec -T "$db" psql -XAtq -U "$(db_user "$stack")" -d "$stack" \
    -c 'SELECT pg_is_in_recovery()' 2>/dev/null) && [[ "$state" == f ]]; do
    if ! running "$stack" "$db"; then
      stack_compose "$stack" logs --tail 30 "$db" >&2
      bdie "$stack: PostgreSQL stopped during recovery (logs above)"
    fi
    ((SECONDS < end)) || bdie "$stack: PostgreSQL still recovering after ${HEALTH_TIMEOUT}s"
    sleep 1
  done
  blog "$stack: recovery done, PostgreSQL accepts writes"
  if [[ -n "$check" ]]; then
    blog "$stack: --check: $check"
    bash -c "$check" >&2 || bdie "$stack: the check failed; the apps were not started"
  fi

  blog "$stack: starting the stack"
  # --no-recreate: the Vault Agent (and the broker) keep running as they are; an agent recreated
  # would need a new wrapped secret id.
  stack_compose "$stack" up -d --no-recreate >&2
  wait_stack_healthy "$stack"
  blog "$stack: every container healthy"
}

# restore_media PROJECT TO_EPOCH: DBU's media from the last snapshot at or before TO_EPOCH.
restore_media() {
  local project=$1 to_epoch=$2 snapshots snap
  snapshots=$(in_backup dbu pjs-restic snapshots --json --host dbu --tag dbu-media) ||
    bdie "dbu: restic snapshots failed"
  snap=$(jq -r --argjson to "${to_epoch:-0}" '
    map(. + {epoch: (.time | sub("\\.[0-9]+"; "") | sub("(\\+00:00|Z)$"; "Z") | fromdateiso8601)})
    | map(select($to == 0 or .epoch <= $to)) | sort_by(.epoch) | last | .id // empty' <<<"$snapshots")
  remove_volume "${project}_dbu_media"
  if [[ -z "$snap" ]]; then
    blog "dbu: WARNING: no media snapshot at or before the moment; media start empty (every photo is fetched again)"
    return 0
  fi
  blog "dbu: restic restore of media snapshot ${snap:0:8} into a fresh volume"
  stack_compose dbu run --rm --no-deps -T -u 0 -v "${project}_dbu_media:/tmp/restore/data/dbu-media" dbu-backup \
    pjs-restic restore "$snap" --target /tmp/restore >&2 || bdie "dbu: restic restore failed"
}

# requeue_photos: photos the database says are stored whose files the restored media lack are set
# back to pending, and a photo job is queued through the outbox (dbu-worker fetches them again).
requeue_photos() {
  blog "dbu: queueing the photos missing from the restored media"
  local out
  out=$(stack_compose dbu exec -T -u postgres dbu-backup bash -s <<'SQL'
set -euo pipefail
psql() { command psql -XAtq -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$BACKUP_PG_USER" -d dbu "$@"; }
psql -F $'\t' -c "SELECT item_no, source_url, path FROM product_photos WHERE status = 'stored' AND path IS NOT NULL" |
  while IFS=$'\t' read -r item url path; do
    [[ -f "/data/dbu-media/$path" ]] || printf '%s\t%s\n' "$item" "$url"
  done >/tmp/missing-photos.tsv
psql <<'EOS'
BEGIN;
CREATE TEMP TABLE missing_photos (item_no text, source_url text) ON COMMIT DROP;
\copy missing_photos FROM '/tmp/missing-photos.tsv'
UPDATE product_photos p SET status = 'pending', attempts = 0, next_attempt_at = NULL,
       last_error = 'file missing after a restore', updated_at = now()
  FROM missing_photos m WHERE p.item_no = m.item_no AND p.source_url = m.source_url;
INSERT INTO outbox_messages (id, type, routing_key, envelope)
SELECT id, 'dbu.photos.requested', 'dbu.photos.requested',
       jsonb_build_object('id', id, 'type', 'dbu.photos.requested',
                          'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                          'data', jsonb_build_object('scope', 'missing'))
  FROM (SELECT gen_random_uuid() AS id) j WHERE EXISTS (SELECT 1 FROM missing_photos);
SELECT count(*) FROM missing_photos;
COMMIT;
EOS
SQL
  ) || bdie "dbu: queueing the missing photos failed"
  blog "dbu: $(tail -n 1 <<<"$out") photo(s) missing from the media snapshot, queued for fetching again"
}

# retry N COMMAND...: COMMAND until it succeeds, at most N times, 15 s apart (a stack that has just
# started may still answer slowly).
retry() {
  local tries=$1 i
  shift
  for ((i = 1; i <= tries; i++)); do
    "$@" && return 0
    ((i == tries)) || { blog "attempt $i failed; again in 15 s"; sleep 15; }
  done
  return 1
}

# resync_im: after DBU went back in time, IM's copy of the catalogue (details and its place in
# DBU's changes) is out of step: resync it with IM's CLI when the IM stack runs here.
resync_im() {
  if ! running im im-worker; then
    blog "im: not running here; after it starts, run: docker-compose exec im-worker node dist/cli.js resync-catalogue"
    return 0
  fi
  if stack_compose im exec -T im-worker node dist/cli.js --help 2>/dev/null | grep -q 'resync-catalogue'; then
    blog "im: resync-catalogue"
    retry 3 stack_compose im exec -T im-worker node dist/cli.js resync-catalogue >&2 || bdie "im: resync-catalogue failed"
  else
    # Older IM without the command: forget IM's place in DBU's changes (when it keeps one) and
    # refresh the details of every item from DBU.
    blog "im: no resync-catalogue command; clearing the sync cursor and refreshing every item from DBU"
    # The cursor's table is named after what it holds (…cursor…); its rows are IM's place in the
    # feed, and an empty table means "from the start".
    stack_compose im exec -T im-postgres psql -XAtq -U im -d im -c "DO \$\$ DECLARE t text; BEGIN
      FOR t IN SELECT quote_ident(table_name) FROM information_schema.tables
                WHERE table_schema = 'public' AND table_name LIKE '%cursor%' LOOP
        EXECUTE 'DELETE FROM ' || t; RAISE NOTICE 'cleared %', t;
      END LOOP; END \$\$" >&2 || bdie "im: clearing the sync cursor failed"
    retry 3 stack_compose im exec -T im-worker node dist/cli.js sync-missing-details --all >&2 ||
      bdie "im: sync-missing-details --all failed"
  fi
}

restore_infrastructure() {
  local to_epoch=$1 project snapshots snap
  project=$(project_name infrastructure-stack)
  snapshots=$(in_backup infrastructure-stack pjs-restic snapshots --json) || bdie "restic snapshots failed"
  pick() {
    jq -r --arg tag "$1" --argjson to "${to_epoch:-0}" '
      map(select(.tags | index($tag)))
      | map(. + {epoch: (.time | sub("\\.[0-9]+"; "") | sub("(\\+00:00|Z)$"; "Z") | fromdateiso8601)})
      | map(select($to == 0 or .epoch <= $to)) | sort_by(.epoch) | last | .id // empty' <<<"$snapshots"
  }
  snap=$(pick grafana)
  [[ -n "$snap" ]] || bdie "no Grafana snapshot at or before the moment"
  stack_compose infrastructure-stack stop grafana >&2
  stack_compose infrastructure-stack rm -f grafana >&2
  remove_volume "${project}_grafana_data"
  stack_compose infrastructure-stack run --rm --no-deps -T -u 0 -v "${project}_grafana_data:/tmp/restore/data/grafana" \
    infra-backup pjs-restic restore "$snap" --target /tmp/restore >&2
  stack_compose infrastructure-stack up -d grafana >&2
  blog "grafana: restored from snapshot ${snap:0:8}"
  snap=$(pick vault)
  if [[ -n "$snap" ]]; then
    local out="$REPO_ROOT/vault-restore.snap"
    in_backup infrastructure-stack pjs-restic dump "$snap" /vault.snap >"$out"
    blog "vault: raft snapshot ${snap:0:8} written to $out; restore it with"
    blog "  VAULT_TOKEN=<root token> vault operator raft snapshot restore -force $out"
  fi
}

main() {
  local stack="" to="" yes=0 check=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --to)
        to=${2:?--to needs a time}
        shift 2
        ;;
      --to=*)
        to=${1#--to=}
        shift
        ;;
      --check)
        check=${2:?--check needs a command}
        shift 2
        ;;
      --yes | -y)
        yes=1
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      -*) bdie "unknown option $1" ;;
      *)
        [[ -z "$stack" ]] || bdie "one stack at a time"
        stack=$1
        shift
        ;;
    esac
  done
  [[ -n "$stack" ]] || {
    usage >&2
    exit 2
  }
  check_stack "$stack"
  local to_epoch=0
  if [[ -n "$to" ]]; then
    to_epoch=$(date -u -d "$to" +%s 2>/dev/null) || bdie "cannot read the time '$to' (e.g. '2026-12-01 10:00:00+00')"
    ((to_epoch <= $(date +%s))) || bdie "the moment $to is in the future"
  fi
  if [[ $yes != 1 ]]; then
    [[ -t 0 ]] || bdie "restore replaces the data volumes of $stack: pass --yes to confirm"
    read -r -p "Replace the data of $stack with the backup${to:+ as of $to}? [y/N] " answer
    [[ "$answer" == [yY]* ]] || bdie "cancelled"
  fi
  local started=$SECONDS
  case "$stack" in
    dbu)
      restore_database dbu "$to" "$to_epoch" "$check"
      requeue_photos
      resync_im
      ;;
    im) restore_database im "$to" "$to_epoch" "$check" ;;
    infrastructure-stack) restore_infrastructure "$to_epoch" ;;
  esac
  blog "$stack restored${to:+ to $to} in $((SECONDS - started))s"
}

main "$@"
