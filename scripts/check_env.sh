#!/usr/bin/env bash
# Checks that every variable a compose stack needs for a production deploy is set, before
# `docker-compose up` interpolates empty strings into it. The list of each stack lives next to
# its compose files: compose/<stack>/required-env.txt. Values are never printed.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
COMPOSE_DIR=${COMPOSE_DIR:-$ROOT/compose}

stacks() {
  local f
  for f in "$COMPOSE_DIR"/*/required-env.txt; do
    [[ -e $f ]] || continue
    f=${f%/required-env.txt}
    printf '%s ' "${f##*/}"
  done
}

usage() {
  cat <<EOF
Usage: $PROG [--env-file FILE] <stack>

Checks that every variable listed in compose/<stack>/required-env.txt is set, in the
environment or in the stack's env file (compose/<stack>/.env, read by docker-compose), and
that 'file' and 'dir' variables name existing paths (relative to compose/<stack>/).

Stacks: $(stacks)

Options:
  --env-file FILE   env file to read instead of compose/<stack>/.env
  -h, --help        show this help

Exit status: 0 all set, 1 something missing, 2 usage.
EOF
}

usage_error() {
  echo "$PROG: $*" >&2
  echo "Try '$PROG -h' for help." >&2
  exit 2
}

env_file=""
stack=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --env-file)
      [[ $# -ge 2 ]] || usage_error "option $1 needs a file"
      env_file=$2
      shift 2
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      [[ -z $stack ]] || usage_error "unexpected argument '$1' (one stack at a time)"
      stack=$1
      shift
      ;;
  esac
done

[[ -n $stack ]] || usage_error "missing <stack> (one of: $(stacks))"
[[ $stack =~ ^[a-z][a-z0-9-]*$ ]] || usage_error "invalid stack name '$stack'"
stack_dir=$COMPOSE_DIR/$stack
list=$stack_dir/required-env.txt
[[ -f $list ]] || usage_error "unknown stack '$stack' (one of: $(stacks))"

if [[ -z $env_file && -f $stack_dir/.env ]]; then
  env_file=$stack_dir/.env
fi
if [[ -n $env_file && ! -r $env_file ]]; then
  echo "$PROG: error: env file not readable: $env_file" >&2
  exit 1
fi

# Value of NAME: the environment wins over the env file (as with docker-compose).
lookup() {
  local name=$1 line key value
  if [[ -n ${!name:-} ]]; then
    printf '%s' "${!name}"
    return 0
  fi
  [[ -n $env_file ]] || return 0
  value=""
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=(.*)$ ]] || continue
    key=${BASH_REMATCH[2]}
    [[ $key == "$name" ]] || continue
    value=${BASH_REMATCH[3]}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
      value=${BASH_REMATCH[1]}
    fi
  done <"$env_file"
  printf '%s' "$value"
}

missing=0
checked=0
while read -r name kind description; do
  [[ -z $name || $name == \#* ]] && continue
  checked=$((checked + 1))
  value=$(lookup "$name")
  if [[ -z $value ]]; then
    echo "missing: $name - $description" >&2
    missing=$((missing + 1))
    continue
  fi
  path=$value
  [[ $path == /* ]] || path=$stack_dir/$path
  case $kind in
    value) ;;
    file)
      if [[ ! -f $path || ! -r $path ]]; then
        echo "missing: $name names a file that does not exist or is not readable: $value" >&2
        missing=$((missing + 1))
      fi
      ;;
    dir)
      if [[ ! -d $path ]]; then
        echo "missing: $name names a directory that does not exist: $value" >&2
        missing=$((missing + 1))
      fi
      ;;
    *)
      echo "$PROG: error: $list: unknown kind '$kind' for $name" >&2
      exit 1
      ;;
  esac
done <"$list"

if [[ $missing -gt 0 ]]; then
  echo "$PROG: $stack: $missing of $checked required variables missing or invalid (see $list)" >&2
  exit 1
fi
echo "$PROG: $stack: all $checked required variables set"
