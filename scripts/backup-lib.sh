#!/usr/bin/env bash
# Shared by scripts/backup.sh, scripts/restore.sh and scripts/backup-status.sh (sourced).
#
# The stacks are driven with docker-compose in compose/<stack>. Which compose files: the
# PJS_COMPOSE_FILES setting, a colon-separated list relative to compose/<stack> in which {stack}
# stands for the stack's name. Default: docker-compose's own (docker-compose.yml + override, i.e.
# development). Production:
#   export PJS_COMPOSE_FILES=docker-compose.yml:docker-compose.prod.yml
# (add :docker-compose.backup-s3.yml when the repository is a bucket). The compose project is the
# stack's name, prefixed with PJS_PROJECT_PREFIX when set (test stacks beside a deployment).
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKUP_STACKS=(dbu im infrastructure-stack)

blog() { printf '[%s %s] %s\n' "$(basename "$0" .sh)" "$(date -u +%T)" "$*" >&2; }
bdie() {
  blog "ERROR: $*"
  exit 1
}

# stack_compose STACK ARGS...: docker-compose of STACK with the configured files.
stack_compose() {
  local stack=$1
  shift
  (
    cd "$REPO_ROOT/compose/$stack" || exit 1
    if [[ -n "${PJS_COMPOSE_FILES:-}" ]]; then
      export COMPOSE_FILE=${PJS_COMPOSE_FILES//\{stack\}/$stack}
    fi
    COMPOSE_PROJECT_NAME=$(project_name "$stack")
    export COMPOSE_PROJECT_NAME
    docker-compose "$@"
  )
}

# project_name STACK: the compose project (prefix of its volumes).
project_name() { echo "${PJS_PROJECT_PREFIX:-}$1"; }

check_stack() {
  local s
  for s in "${BACKUP_STACKS[@]}"; do [[ "$1" == "$s" ]] && return 0; done
  bdie "unknown stack '$1' (one of: ${BACKUP_STACKS[*]})"
}

# running STACK SERVICE: the service has a running container.
running() {
  local id
  id=$(stack_compose "$1" ps -q "$2" 2>/dev/null) || return 1
  [[ -n "$id" && "$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null)" == true ]]
}

# backup_service STACK: the stack's backup sidecar.
backup_service() {
  case "$1" in
    infrastructure-stack) echo infra-backup ;;
    *) echo "$1-backup" ;;
  esac
}

# in_backup STACK ARGS...: a command in the stack's backup sidecar as postgres (exec when it runs,
# else a one-off container of the same service without its dependencies).
in_backup() {
  local stack=$1 service
  shift
  service=$(backup_service "$stack")
  if running "$stack" "$service"; then
    stack_compose "$stack" exec -T -u postgres "$service" "$@"
  else
    stack_compose "$stack" run --rm --no-deps -T -u postgres "$service" "$@"
  fi
}
