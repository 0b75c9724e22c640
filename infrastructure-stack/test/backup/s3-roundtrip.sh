#!/usr/bin/env bash
# The S3 path of the backups, for infrastructure-stack/test/backup.test.ts: a throwaway PostgreSQL
# cluster archives through pjs-pgbackrest into an S3-compatible server over HTTPS (the test starts
# s3rver with a test certificate), takes a full and a diff backup, verifies the repository,
# restores into a new data directory and checks the rows; restic backs a directory up into the
# same bucket and restores it. Prints "roundtrip ok" at the end.
#
# Usage: s3-roundtrip.sh WORKDIR ENDPOINT(host:port) BUCKET CA_FILE KEY SECRET
# Runs the cluster as the postgres user (initdb refuses root).
set -euo pipefail
work=$1 endpoint=$2 bucket=$3 ca=$4 key=$5 secret=$6
bin=$(cd "$(dirname "$0")/../../backup/bin" && pwd)
pgbin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)
mkdir -p "$work"
# A copy the postgres user can run wherever the checkout is (a clone under /root is closed to it).
cp -r "$bin" "$work/bin"
bin=$work/bin
printf '%s\n' "$key" >"$work/key"
printf '%s\n' "$secret" >"$work/secret"
printf 'test-only-passphrase\n' >"$work/pass"
cat >"$work/env" <<ENV
export PATH="$bin:$pgbin:\$PATH"
export BACKUP_STANZA=s3test BACKUP_PASSPHRASE_FILE="$work/pass" BACKUP_REPO_TYPE=s3
export BACKUP_S3_ENDPOINT="$endpoint" BACKUP_S3_BUCKET="$bucket" BACKUP_S3_CA_FILE="$ca"
export BACKUP_S3_KEY_FILE="$work/key" BACKUP_S3_SECRET_FILE="$work/secret" BACKUP_S3_PATH=/s3test/pgbackrest
export BACKUP_S3_RESTIC_PATH=s3test/restic XDG_CACHE_HOME="$work/cache"
export BACKUP_PG_SOCKET="$work" BACKUP_PG_PORT=55439 BACKUP_PG_USER=postgres PGDATA="$work/data"
ENV
chown -R postgres "$work"
chmod -R a+rX "$work"

as_postgres() { runuser -u postgres -- bash -c ". '$work/env'; set -euo pipefail; $1"; }
pg_start() {
  as_postgres "pg_ctl -D '$1' -l '$work/pg.log' -w -t 120 -o \"-c port=55439 -c unix_socket_directories='$work' -c listen_addresses='' -c wal_level=replica -c archive_mode=on -c archive_timeout=60 -c 'archive_command=pjs-pgbackrest archive-push %p'\" start >/dev/null"
}
sql() { as_postgres "psql -XAtq -h '$work' -p 55439 -d postgres -c \"$1\""; }
cleanup() { as_postgres "pg_ctl -D '$work/data' -m immediate stop >/dev/null 2>&1 || true; pg_ctl -D '$work/restored' -m immediate stop >/dev/null 2>&1 || true"; }
trap cleanup EXIT

as_postgres "initdb -D '$work/data' -A trust >/dev/null"
pg_start "$work/data"
as_postgres "pjs-pgbackrest stanza-create && pjs-pgbackrest check"
sql "CREATE TABLE t AS SELECT generate_series(1, 50000) AS x"
as_postgres "pjs-pgbackrest backup --type=full"
sql "INSERT INTO t SELECT generate_series(50001, 60000)"
as_postgres "pjs-pgbackrest backup --type=diff"
sql "INSERT INTO t SELECT generate_series(60001, 61000)"
as_postgres "pjs-pgbackrest check"
as_postgres "pjs-pgbackrest verify"
echo "backups: $(as_postgres "pjs-pgbackrest info --output=json" | jq -r '[.[0].backup[].type] | join(",")')"

# Restore (latest: the diff plus the WAL after it) into a new directory and start it.
cleanup
as_postgres "mkdir -m 0700 '$work/restored' && PGDATA='$work/restored' pjs-pgbackrest restore --pg1-path='$work/restored' >/dev/null"
pg_start "$work/restored"
for _ in $(seq 1 60); do
  [[ "$(sql 'SELECT pg_is_in_recovery()')" == f ]] && break
  sleep 1
done
echo "restored rows: $(sql 'SELECT count(*) FROM t')"

# restic into the same bucket.
mkdir -p "$work/files/photos"
head -c 100000 /dev/urandom >"$work/files/photos/a.jpg"
chown -R postgres "$work/files"
as_postgres "pjs-restic init >/dev/null && pjs-restic backup --quiet --tag dbu-media '$work/files' && pjs-restic check >/dev/null && pjs-restic restore latest --target '$work/restic-restore' >/dev/null"
cmp "$work/files/photos/a.jpg" "$work/restic-restore$work/files/photos/a.jpg"
echo "restic: snapshot restored byte for byte"
echo "roundtrip ok"
