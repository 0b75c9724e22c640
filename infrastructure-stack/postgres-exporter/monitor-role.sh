#!/usr/bin/env bash
# Creates or updates the read-only role prometheus-postgres-exporter connects as: LOGIN, member of
# pg_monitor (every session's pg_stat_activity row, pg_settings, the statistics views) and nothing
# else: no superuser, no role or database creation, read-only transactions by default, a statement
# timeout and 5 connections at most. Idempotent: the one-shot <project>-postgres-monitor-role runs
# it before the exporter starts, so a changed password file takes effect on the next `up`.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: monitor-role.sh [-h]

Creates (or updates) the monitoring role of a PostgreSQL server, connecting as a superuser
through the libpq variables (PGHOST, PGUSER, PGDATABASE, ...).
  MONITOR_ROLE            the role's name                      default pjs_monitor
  MONITOR_PASSWORD_FILE   file holding the role's password     required
USAGE
}

if [[ $# -gt 0 ]]; then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "monitor-role.sh: unexpected argument '$1'" >&2
      usage >&2
      exit 2
      ;;
  esac
fi

role=${MONITOR_ROLE:-pjs_monitor}
if [[ ! $role =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  echo "monitor-role.sh: MONITOR_ROLE '$role' is not a plain lower-case identifier" >&2
  exit 2
fi
if [[ -z ${MONITOR_PASSWORD_FILE:-} || ! -r $MONITOR_PASSWORD_FILE ]]; then
  echo "monitor-role.sh: MONITOR_PASSWORD_FILE must name a readable file" >&2
  exit 2
fi
password=$(<"$MONITOR_PASSWORD_FILE")
if [[ -z $password ]]; then
  echo "monitor-role.sh: $MONITOR_PASSWORD_FILE is empty" >&2
  exit 2
fi

# The password travels as a psql variable (never on the command line); psql quotes it.
psql -X -q -v ON_ERROR_STOP=1 -v role="$role" -v password="$password" <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
\gexec
ALTER ROLE :"role" WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT 5 PASSWORD :'password';
GRANT pg_monitor TO :"role";
ALTER ROLE :"role" SET default_transaction_read_only = on;
ALTER ROLE :"role" SET statement_timeout = '10s';
SQL
echo "monitor-role.sh: role $role is ready (pg_monitor, read-only)"
