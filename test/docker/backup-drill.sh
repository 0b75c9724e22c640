#!/usr/bin/env bash
# Backup drills of the container test (issue 18), sourced by test/docker/run-stacks.sh and run on
# the stacks it brought up (docs/operations.md "Backups"). They FAIL, never skip, when they cannot
# run.
#
# step_restore_drill: products (with photos) and stock movements written in three phases around
#   backups and a moment T; the database and media volumes destroyed; scripts/restore.sh im and dbu
#   --to T. The restored databases equal the data at T exactly (row count and checksum of every
#   table, compared before the apps start), nothing written after T is there; the media are the
#   last snapshot before T (file checksums), the photos stored after that snapshot are queued and
#   fetched again; the stacks come up healthy.
# step_wal_archive_drill: the archive made unwritable: WalArchiveFailing fires in a real
#   Prometheus (Debian's, with our rules, scraping dbu-backup's exporter) while dbu keeps serving
#   reads and writes; then archiving recovers.

# The backup scripts drive the same stacks with the same compose files as this test.
# shellcheck source=scripts/backup-lib.sh
source "$REPO_ROOT/scripts/backup-lib.sh"
export PJS_COMPOSE_FILES='docker-compose.yml:docker-compose.override.yml:../../test/docker/compose/{stack}.test.yml'
PHOTO_SERVER=pjs-ci-photos
# Item numbers of the drill's phases: BK<run>-<phase>-… (a run on kept stacks adds new products).
DRILL_RUN=$(printf '%05d' $((RANDOM % 100000)))
DRILL_PROM_PORT=19090
DRILL_PROM_PID=""

# Serves a small, distinct JPEG-typed body for every path (the photos of the drill's catalogues).
start_photo_server() {
  docker rm -f "$PHOTO_SERVER" >/dev/null 2>&1 || true
  docker run -d --name "$PHOTO_SERVER" --label pjs.ci=true --network dbu-net node:24-bookworm-slim node -e '
    const crypto = require("node:crypto");
    require("node:http").createServer((req, res) => {
      const body = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.createHash("sha256").update(req.url).digest(),
        Buffer.alloc(2048, req.url)]);
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": body.length });
      res.end(body);
    }).listen(8080);' >/dev/null
}

stop_drill_helpers() {
  docker rm -f "$PHOTO_SERVER" >/dev/null 2>&1 || true
  if [[ -n "$DRILL_PROM_PID" ]]; then kill "$DRILL_PROM_PID" 2>/dev/null || true; fi
}

# psql_in STACK SQL: a query in the stack's database (unaligned, tuples only).
psql_in() {
  compose "$1" exec -T "$1-postgres" psql -XAtq -v ON_ERROR_STOP=1 -U "$1" -d "$1" -c "$2"
}

# table_checksums STACK: "table rows md5" for every table of the public schema, the md5 taken over
# the sorted md5s of the rows' text forms.
table_checksums() {
  compose "$1" exec -T "$1-postgres" psql -XAtq -v ON_ERROR_STOP=1 -U "$1" -d "$1" -F ' ' <<'SQL'
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(r, '''' ORDER BY r), '''')) FROM (SELECT md5(t::text) AS r FROM %I t) s',
              tablename, tablename)
  FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
\gexec
SQL
}

# media_checksums: "sha256  path" of every file of DBU's media (through the backup sidecar, which
# mounts them read-only).
media_checksums() {
  compose dbu exec -T dbu-backup sh -c 'cd /data/dbu-media && find . -type f -print0 | sort -z | xargs -0r sha256sum'
}

# import_phase PHASE ROWS: a catalogue of ROWS products BK<run>-<PHASE>-… whose photos the photo server
# serves, imported through dbu-web; waits until the import succeeded and every photo is stored.
import_phase() {
  local phase=$1 rows=$2 csv="$RUN_DIR/backup-phase-$1.csv" import_id
  node "$REPO_ROOT/scripts/gen-catalogue.mjs" "$rows" "$csv" --seed "$((40 + phase))" >/dev/null
  sed -i -e "2,\$s/^PJS-/BK$DRILL_RUN-$phase-/" -e "s|https://img.example.test/|http://$PHOTO_SERVER:8080/bk$DRILL_RUN-$phase/|" "$csv"
  http POST "$DBU_URL/api/imports/" "$DBU_TOKEN" -F "file=@$csv;type=text/csv"
  expect 202 "backup drill: import of phase $phase"
  import_id=$(json '.id // .import_id // empty')
  phase_imported() {
    http GET "$DBU_URL/api/imports/$import_id/" "$DBU_TOKEN"
    [[ "$HTTP_STATUS" == 200 ]] || return 1
    case "$(json .status)" in
      succeeded) return 0 ;;
      rejected | failed) die "backup drill: import $import_id ended $(json .status): ${HTTP_BODY:0:600}" ;;
      *) return 1 ;;
    esac
  }
  poll 120 "backup drill: import of phase $phase" phase_imported
  photos_stored() {
    [[ "$(psql_in dbu "SELECT count(*) FROM product_photos WHERE item_no LIKE 'BK$DRILL_RUN-$phase-%' AND status = 'stored'")" == "$rows" ]]
  }
  poll 120 "backup drill: the $rows photos of phase $phase to be stored" photos_stored
}

# stock_phase PHASE: stock movements in IM (add, then reduce) on the drill's items.
stock_phase() {
  local phase=$1 item
  for item in "$ITEM_A" "$ITEM_B"; do
    http POST "$IM_URL/api/add-stock/" "$IM_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"item_no\":\"$item\",\"amount\":$((phase * 10)),\"reason\":\"backup drill phase $phase\"}"
    expect 200 "backup drill: add-stock $item (phase $phase)"
    http POST "$IM_URL/api/reduce-stock/" "$IM_TOKEN" -H 'Content-Type: application/json' \
      -d "{\"item_no\":\"$item\",\"amount\":$phase,\"reason\":\"backup drill phase $phase\"}"
    expect 200 "backup drill: reduce-stock $item (phase $phase)"
  done
}

# changed_tables BEFORE AFTER: the tables (comma-separated) whose line of table_checksums differs.
changed_tables() {
  diff <(echo "$1") <(echo "$2") | grep '^>' | cut -d' ' -f2 | paste -sd, - || true
}

# quiet_checksums STACK: the table checksums once two readings a few seconds apart agree (the
# workers have finished reacting to the last writes).
quiet_checksums() {
  local stack=$1 a b tries=0
  a=$(table_checksums "$stack")
  while :; do
    sleep 3
    b=$(table_checksums "$stack")
    [[ "$a" != "$b" ]] || break
    a=$b
    ((++tries < 20)) || die "backup drill: $stack keeps changing without writes: $(diff <(echo "$a") <(echo "$b") | head -5)"
  done
  echo "$b"
}

step_restore_drill() {
  local started=$SECONDS
  log "backup drill: photo server $PHOTO_SERVER on dbu-net; phase 1 (products, photos, stock)"
  start_photo_server
  import_phase 1 30
  stock_phase 1

  log "backup drill: scripts/backup.sh dbu full, im full (database + media snapshot)"
  bash "$REPO_ROOT/scripts/backup.sh" dbu full >"$LOG_DIR/backup-dbu-full.log" 2>&1 ||
    die "backup.sh dbu full failed: $(tail -20 "$LOG_DIR/backup-dbu-full.log")"
  bash "$REPO_ROOT/scripts/backup.sh" im full >"$LOG_DIR/backup-im-full.log" 2>&1 ||
    die "backup.sh im full failed: $(tail -20 "$LOG_DIR/backup-im-full.log")"
  local media_at_snapshot
  media_at_snapshot=$(media_checksums)
  log "backup drill: media at the snapshot: $(wc -l <<<"$media_at_snapshot") files"

  log "backup drill: phase 2 (after the backups, before T; photos not in any snapshot)"
  import_phase 2 20
  stock_phase 2
  # A differential backup of the database only (no media snapshot between phase 2 and T).
  in_backup dbu pjs-backup db diff >"$LOG_DIR/backup-dbu-diff.log" 2>&1 ||
    die "pjs-backup db diff failed: $(tail -20 "$LOG_DIR/backup-dbu-diff.log")"

  # T must fall in a quiet second: both databases read the same just before and just after it. The
  # workers' scheduled jobs (audit retention, idempotency sweep, catalogue reconcile) record their
  # runs in cluster_job_runs whenever their timer fires, so a window they land in is tried again.
  local dbu_at_t im_at_t t again changed attempt
  for attempt in 1 2 3 4 5; do
    dbu_at_t=$(quiet_checksums dbu)
    im_at_t=$(quiet_checksums im)
    sleep 1
    t=$(psql_in dbu "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
    sleep 1
    changed=""
    again=$(changed_tables "$dbu_at_t" "$(table_checksums dbu)")
    [[ -z "$again" ]] || changed+=" dbu: $again"
    again=$(changed_tables "$im_at_t" "$(table_checksums im)")
    [[ -z "$again" ]] || changed+=" im: $again"
    [[ -n "$changed" ]] || break
    ((attempt < 5)) || die "backup drill: no quiet second for T in $attempt tries (changed around T:$changed)"
    log "backup drill: a background write around T ($changed ), choosing T again"
  done
  log "backup drill: T = $t (dbu $(wc -l <<<"$dbu_at_t") tables, im $(wc -l <<<"$im_at_t") tables checksummed)"

  log "backup drill: phase 3 (after T), then the scheduled-style backups (a media snapshot after T)"
  import_phase 3 10
  stock_phase 3
  bash "$REPO_ROOT/scripts/backup.sh" dbu diff >"$LOG_DIR/backup-dbu-diff2.log" 2>&1 ||
    die "backup.sh dbu diff failed: $(tail -20 "$LOG_DIR/backup-dbu-diff2.log")"
  # Everything written so far reaches the archive (pgbackrest check switches WAL and waits).
  in_backup dbu pjs-pgbackrest check >/dev/null || die "pgbackrest check (dbu) failed"
  in_backup im pjs-pgbackrest check >/dev/null || die "pgbackrest check (im) failed"
  [[ "$(table_checksums dbu)" != "$dbu_at_t" ]] || die "backup drill: phase 3 changed nothing in dbu (premise broken)"

  log "backup drill: destroying the databases and the media (containers and volumes)"
  local stack svc
  for stack in dbu im; do
    mapfile -t svc < <(compose "$stack" config --services | grep -v -E -- '-vault-agent$|-rabbitmq$')
    compose "$stack" stop --timeout 10 "${svc[@]}" >/dev/null 2>&1
    compose "$stack" rm -f "${svc[@]}" >/dev/null 2>&1
  done
  docker volume rm dbu_dbu_pgdata dbu_dbu_media im_im_pgdata >/dev/null ||
    die "backup drill: could not destroy the volumes"

  local restore_started=$SECONDS check_file="$RUN_DIR/restored-checksums"
  for stack in im dbu; do
    log "+ scripts/restore.sh $stack --to '$t' --yes"
    # --check: the checksums of the restored database before any app starts.
    cat >"$RUN_DIR/check-$stack.sh" <<CHECK
set -euo pipefail
source "$DOCKER_TEST_DIR/lib.sh"
source "$DOCKER_TEST_DIR/backup-drill.sh"
compose() { local s=\$1; shift; (cd "$REPO_ROOT/compose/\$s" && docker-compose -f docker-compose.yml -f docker-compose.override.yml -f "../../test/docker/compose/\$s.test.yml" "\$@"); }
table_checksums $stack >"$check_file-$stack"
# The media as restored, before dbu-worker fetches the missing photos again.
if [[ $stack == dbu ]]; then
  compose dbu run --rm --no-deps -T dbu-backup sh -c 'cd /data/dbu-media && find . -type f -print0 | sort -z | xargs -0r sha256sum' >"$check_file-media"
fi
CHECK
    bash "$REPO_ROOT/scripts/restore.sh" "$stack" --to "$t" --yes --check "bash $RUN_DIR/check-$stack.sh" \
      >"$LOG_DIR/restore-$stack.log" 2>&1 || die "restore.sh $stack failed: $(tail -30 "$LOG_DIR/restore-$stack.log")"
    log "  $(tail -n 1 "$LOG_DIR/restore-$stack.log")"
  done
  log "backup drill: both stacks restored in $((SECONDS - restore_started))s"

  local expected
  for stack in dbu im; do
    expected=$dbu_at_t
    [[ $stack == im ]] && expected=$im_at_t
    if ! diff <(echo "$expected") "$check_file-$stack" >"$RUN_DIR/diff-$stack"; then
      cat "$RUN_DIR/diff-$stack" >&2
      die "backup drill: the restored $stack database differs from the data at T (diff above: < at T, > restored)"
    fi
  done
  log "backup drill: restored databases equal the data at T: every table's row count and checksum"
  [[ "$(psql_in dbu "SELECT count(*) FROM products WHERE item_no LIKE 'BK$DRILL_RUN-3-%'")" == 0 ]] ||
    die "backup drill: products written after T are present"
  [[ "$(psql_in dbu "SELECT count(*) FROM products WHERE item_no LIKE 'BK$DRILL_RUN-2-%'")" == 20 ]] ||
    die "backup drill: products written before T are missing"

  if ! diff <(echo "$media_at_snapshot") "$check_file-media" >"$RUN_DIR/diff-media"; then
    head -20 "$RUN_DIR/diff-media" >&2
    die "backup drill: the restored media differ from the last snapshot before T"
  fi
  log "backup drill: restored media equal the snapshot before T ($(wc -l <"$check_file-media") files, sha256 each)"

  local queued
  queued=$(sed -n 's/.* \([0-9]*\) photo(s) missing from the media snapshot, queued.*/\1/p' "$LOG_DIR/restore-dbu.log")
  # At least the 20 photos of phase 2 (stored after the snapshot, before T).
  ((${queued:-0} >= 20)) ||
    die "backup drill: restore.sh did not queue the photos stored after the snapshot: $(grep -i photo "$LOG_DIR/restore-dbu.log")"
  phase2_refetched() {
    [[ "$(psql_in dbu "SELECT count(*) FROM product_photos WHERE item_no LIKE 'BK$DRILL_RUN-2-%' AND status = 'stored'")" == 20 &&
      "$(psql_in dbu "SELECT count(*) FROM product_photos WHERE status = 'pending'")" == 0 ]]
  }
  poll 180 "the photos missing after the restore to be fetched again" phase2_refetched
  log "backup drill: the photos stored after the snapshot ($queued) were queued and fetched again"

  grep -q -E 'resync-catalogue|refreshing every item from DBU' "$LOG_DIR/restore-dbu.log" ||
    die "backup drill: restore.sh dbu did not resync IM's catalogue view"
  wait_ready "${STACKS[@]}"
  step_status >/dev/null
  log "backup drill: stacks healthy on the restored data (restore drill took $((SECONDS - started))s)"
}

# prometheus_alert_state NAME: firing / pending / inactive in the drill's Prometheus.
prometheus_alert_state() {
  curl -fsS "http://127.0.0.1:$DRILL_PROM_PORT/api/v1/alerts" |
    jq -r --arg n "$1" '[.data.alerts[] | select(.labels.alertname == $n) | .state] | if index("firing") then "firing" elif index("pending") then "pending" else "inactive" end'
}

step_wal_archive_drill() {
  command -v prometheus >/dev/null || die "the WAL archive drill needs Prometheus (Debian's prometheus package)"
  local dir="$RUN_DIR/prometheus"
  mkdir -p "$dir/data"
  cp "$REPO_ROOT/infrastructure-stack/prometheus/rules/backup.yml" "$dir/"
  cat >"$dir/prometheus.yml" <<YAML
global: {scrape_interval: 3s, evaluation_interval: 3s}
rule_files: [backup.yml]
scrape_configs:
  - job_name: backup
    static_configs:
      - targets: ['127.0.0.1:18091']
        labels: {project: dbu}
YAML
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$DRILL_PROM_PORT" >"$LOG_DIR/prometheus-drill.log" 2>&1 &
  DRILL_PROM_PID=$!
  prom_up() { curl -fsS "http://127.0.0.1:$DRILL_PROM_PORT/api/v1/query?query=up" 2>/dev/null | jq -e '.data.result[0].value[1] == "1"' >/dev/null; }
  poll 60 "the drill's Prometheus to scrape dbu-backup" prom_up
  [[ "$(prometheus_alert_state WalArchiveFailing)" == inactive ]] || die "WalArchiveFailing before the failure"
  log "WAL drill: Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scrapes dbu-backup; WalArchiveFailing inactive"

  log "WAL drill: the archive made unwritable for PostgreSQL"
  compose dbu exec -T -u 0 dbu-backup chmod -R a-w /backup/pgbackrest/archive
  local n=0
  while [[ "$(prometheus_alert_state WalArchiveFailing)" != firing ]]; do
    # dbu keeps serving: a write (a product through an import) and a read while the archive fails.
    n=$((n + 1))
    node "$REPO_ROOT/scripts/gen-catalogue.mjs" 3 "$RUN_DIR/wal-$n.csv" --seed "$((100 + n))" >/dev/null
    sed -i -e "2,\$s/^PJS-/WAL$n-/" -e "s|https://img.example.test/|http://$PHOTO_SERVER:8080/wal$n/|" "$RUN_DIR/wal-$n.csv"
    http POST "$DBU_URL/api/imports/" "$DBU_TOKEN" -F "file=@$RUN_DIR/wal-$n.csv;type=text/csv"
    expect 202 "WAL drill: dbu accepts a write (an import) while the archive fails"
    http GET "$DBU_URL/api/products/$ITEM_A/" "$DBU_TOKEN"
    expect 200 "WAL drill: dbu read while the archive fails"
    psql_in dbu "SELECT pg_switch_wal()" >/dev/null
    ((n < 60)) || die "WAL drill: WalArchiveFailing did not fire within ~5 minutes"
    sleep 5
  done
  local failures
  failures=$(curl -fsS "http://127.0.0.1:$DRILL_PROM_PORT/api/v1/query?query=backup_wal_archive_failures_total" | jq -r '.data.result[0].value[1]')
  log "WAL drill: WalArchiveFailing FIRING ($failures failed archive attempts) while dbu served $n writes and reads"

  compose dbu exec -T -u 0 dbu-backup chmod -R u+w /backup/pgbackrest/archive
  in_backup dbu pjs-pgbackrest check >/dev/null || die "WAL drill: archiving did not recover"
  local end=$((SECONDS + 120))
  until [[ "$(prometheus_alert_state WalArchiveFailing)" == inactive ]]; do
    ((SECONDS < end)) || die "WAL drill: WalArchiveFailing still active after the archive recovered"
    sleep 3
  done
  [[ "$(prometheus_alert_state BackupTooOld)" == inactive ]] || die "WAL drill: BackupTooOld fires with fresh backups"
  log "WAL drill: archive writable again: the backlog archived, WalArchiveFailing resolved, BackupTooOld inactive"
  kill "$DRILL_PROM_PID" 2>/dev/null || true
  DRILL_PROM_PID=""
}
