#!/usr/bin/env bash
# Creates or updates, idempotently, everything a project needs to read its secrets from Vault:
# the AppRole auth method and KV v2 engine (if missing), a file audit device, the project's
# read-only policy and its AppRole role; optionally writes the role id and a response-wrapped
# secret id for the project's Vault Agent. Talks to Vault's HTTP API with curl + jq; the token
# travels in a header read from a private temp file, never on a command line.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT

usage() {
  cat <<EOF
Usage: $PROG [options] <project>

Creates or updates, in Vault (safe to run again):
  - auth method approle/ and KV v2 engine secret/ when missing
  - a file audit device at audit/file (unless --no-audit)
  - policy <project> from infrastructure-stack/vault/policies/<project>.hcl
  - AppRole role <project> with that policy
With -o DIR also writes DIR/role_id and DIR/secret_id (a response-wrapped secret id for the
Vault Agent; it must be unwrapped within --wrap-ttl). With --persistent, DIR/secret_id is the
secret id itself, which the agent keeps reading after every restart (no rerun after a reboot):
bound to APPROLE_SECRET_ID_CIDRS, valid APPROLE_SECRET_ID_TTL (default 2160h = 90 days); keep DIR
on a root-only volume and rotate it (docs/vault-unseal.md, "Agents after a reboot").

Options:
  -o, --out DIR        write role_id and a wrapped secret_id into DIR (mode 0600)
  -p, --policy FILE    policy file (default: infrastructure-stack/vault/policies/<project>.hcl)
      --wrap-ttl TTL   lifetime of the wrapped secret id (default: 15m)
      --persistent     write the secret id unwrapped, CIDR-bound, for agents that log in again
                       by themselves after a restart (the stacks' agents use this)
      --no-audit       leave audit devices alone
  -h, --help           show this help

Environment:
  VAULT_ADDR              Vault address, e.g. https://127.0.0.1:8200 (required)
  VAULT_TOKEN_FILE        file holding an admin token (default: ~/.vault-token)
  VAULT_TOKEN             the admin token itself (used when set; prefer VAULT_TOKEN_FILE)
  VAULT_CACERT            CA certificate for Vault's TLS certificate
  VAULT_AUDIT_FILE        audit log path inside the Vault container (default: /vault/logs/audit.log)
  APPROLE_TOKEN_TTL       TTL of tokens the role issues (default: 1h)
  APPROLE_TOKEN_MAX_TTL   maximum TTL of those tokens (default: 24h)
  APPROLE_SECRET_ID_TTL   lifetime of secret ids (default: 0 = no expiry; 2160h with --persistent)
  APPROLE_SECRET_ID_CIDRS comma-separated CIDRs a --persistent secret id (and its tokens) may be
                          used from, e.g. the agent's Docker network 172.28.0.0/16
EOF
}

die() {
  echo "$PROG: error: $*" >&2
  exit 1
}

usage_error() {
  echo "$PROG: $*" >&2
  echo "Try '$PROG -h' for help." >&2
  exit 2
}

log() { echo "$PROG: $*"; }

out_dir=""
policy_file=""
wrap_ttl="15m"
audit=1
persistent=0
project=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -o | --out)
      [[ $# -ge 2 ]] || usage_error "option $1 needs a directory"
      out_dir=$2
      shift 2
      ;;
    -p | --policy)
      [[ $# -ge 2 ]] || usage_error "option $1 needs a file"
      policy_file=$2
      shift 2
      ;;
    --wrap-ttl)
      [[ $# -ge 2 ]] || usage_error "option $1 needs a duration (e.g. 15m)"
      wrap_ttl=$2
      shift 2
      ;;
    --no-audit)
      audit=0
      shift
      ;;
    --persistent)
      persistent=1
      shift
      ;;
    --)
      shift
      break
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      [[ -z $project ]] || usage_error "unexpected argument '$1' (one project at a time)"
      project=$1
      shift
      ;;
  esac
done
if [[ $# -gt 0 ]]; then
  [[ -z $project && $# -eq 1 ]] || usage_error "unexpected argument '${*: -1}'"
  project=$1
fi

[[ -n $project ]] || usage_error "missing <project>"
[[ $project =~ ^[a-z][a-z0-9-]{0,31}$ ]] || usage_error "invalid project name '$project' (lower-case letters, digits, '-')"
[[ $wrap_ttl =~ ^[0-9]+[smh]?$ ]] || usage_error "invalid --wrap-ttl '$wrap_ttl' (e.g. 900s, 15m)"
policy_file=${policy_file:-$ROOT/infrastructure-stack/vault/policies/$project.hcl}
[[ -r $policy_file ]] || die "policy file not found: $policy_file"

command -v curl >/dev/null || die "curl is not installed"
command -v jq >/dev/null || die "jq is not installed"
[[ -n ${VAULT_ADDR:-} ]] || die "VAULT_ADDR is not set (e.g. https://127.0.0.1:8200)"
VAULT_ADDR=${VAULT_ADDR%/}

tmp=$(umask 077 && mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The token goes into a header file only this user can read; curl reads it with -H @file.
if [[ -n ${VAULT_TOKEN:-} ]]; then
  printf 'X-Vault-Token: %s\n' "$VAULT_TOKEN" >"$tmp/auth.header"
else
  token_file=${VAULT_TOKEN_FILE:-$HOME/.vault-token}
  [[ -r $token_file ]] || die "no Vault token: set VAULT_TOKEN_FILE (or VAULT_TOKEN); $token_file is not readable"
  token=$(tr -d '[:space:]' <"$token_file")
  [[ -n $token ]] || die "token file $token_file is empty"
  printf 'X-Vault-Token: %s\n' "$token" >"$tmp/auth.header"
  unset token
fi

status=""
body=""
# vault_call METHOD PATH [-] [extra curl args...]: '-' sends stdin as the JSON body. Call it with
# redirected stdin (< <(jq ...)), never at the end of a pipe: it must set status/body here.
vault_call() {
  local method=$1 path=$2
  shift 2
  local args=(-sS -o "$tmp/body" -w '%{http_code}' -X "$method" -H @"$tmp/auth.header" --max-time 30)
  if [[ ${1:-} == - ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary @-)
    shift
  fi
  [[ -n ${VAULT_CACERT:-} ]] && args+=(--cacert "$VAULT_CACERT")
  if ! status=$(curl "${args[@]}" "$@" "$VAULT_ADDR/v1/$path"); then
    die "cannot reach Vault at $VAULT_ADDR ($method /v1/$path)"
  fi
  body=$(cat "$tmp/body")
}

vault_errors() {
  jq -r '(.errors // []) | map(tostring) | join("; ")' <<<"$body" 2>/dev/null || true
}

expect_ok() {
  local what=$1
  if [[ $status != 2* ]]; then
    local detail
    detail=$(vault_errors)
    case $status in
      403) die "$what: permission denied (HTTP 403) - the token needs admin rights${detail:+: $detail}" ;;
      *) die "$what failed (HTTP $status)${detail:+: $detail}" ;;
    esac
  fi
}

# 1. Vault must be initialised and unsealed.
vault_call GET "sys/health?standbyok=true"
case $status in
  200 | 429) ;;
  501) die "Vault at $VAULT_ADDR is not initialised: run 'vault operator init' (docs/vault-unseal.md)" ;;
  503) die "Vault at $VAULT_ADDR is sealed: unseal it first (docs/vault-unseal.md)" ;;
  *) die "Vault health check failed (HTTP $status)" ;;
esac

# 2. Engines the projects rely on.
vault_call GET sys/auth
expect_ok "listing auth methods"
if jq -e '(.data // .) | has("approle/")' <<<"$body" >/dev/null; then
  log "auth method approle/: present"
else
  vault_call POST sys/auth/approle - < <(jq -n '{type: "approle", description: "PJS projects (Vault Agent sidecars)"}')
  expect_ok "enabling auth method approle/"
  log "auth method approle/: enabled"
fi

vault_call GET sys/mounts
expect_ok "listing secret engines"
kv=$(jq -c '(.data // .)["secret/"] // empty | {type, version: (.options.version // "1")}' <<<"$body")
if [[ -z $kv ]]; then
  vault_call POST sys/mounts/secret - < <(jq -n '{type: "kv", options: {version: "2"}, description: "PJS project settings"}')
  expect_ok "enabling KV v2 at secret/"
  log "secret engine secret/: enabled (kv v2)"
elif [[ $(jq -r '.type + ":" + .version' <<<"$kv") != kv:2 ]]; then
  die "secret/ is mounted but is not KV version 2 ($kv); migrate it by hand"
else
  log "secret engine secret/: present (kv v2)"
fi

if [[ $audit -eq 1 ]]; then
  vault_call GET sys/audit
  expect_ok "listing audit devices"
  if jq -e '(.data // .) | has("file/")' <<<"$body" >/dev/null; then
    log "audit device file/: present"
  else
    vault_call PUT sys/audit/file - < <(jq -n --arg path "${VAULT_AUDIT_FILE:-/vault/logs/audit.log}" \
      '{type: "file", description: "PJS audit log", options: {file_path: $path}}')
    expect_ok "enabling the file audit device"
    log "audit device file/: enabled"
  fi
fi

# 3. Policy (rewritten only when its text changed).
vault_call GET "sys/policies/acl/$project"
current_policy=""
if [[ $status == 200 ]]; then
  current_policy=$(jq -r '.data.policy // ""' <<<"$body")
elif [[ $status != 404 ]]; then
  expect_ok "reading policy $project"
fi
wanted_policy=$(cat "$policy_file")
if [[ $status == 200 && $current_policy == "$wanted_policy" ]]; then
  log "policy $project: unchanged"
else
  vault_call PUT "sys/policies/acl/$project" - < <(jq -Rs '{policy: .}' <"$policy_file")
  expect_ok "writing policy $project"
  if [[ -n $current_policy ]]; then log "policy $project: updated"; else log "policy $project: created"; fi
fi

# 4. AppRole role (a POST creates or updates it in place; the role id never changes).
vault_call GET "auth/approle/role/$project"
role_existed=0
[[ $status == 200 ]] && role_existed=1
vault_call POST "auth/approle/role/$project" - < <(jq -n \
  --arg policy "$project" \
  --arg ttl "${APPROLE_TOKEN_TTL:-1h}" \
  --arg max "${APPROLE_TOKEN_MAX_TTL:-24h}" \
  --arg sttl "${APPROLE_SECRET_ID_TTL:-0}" \
  '{token_policies: [$policy], token_ttl: $ttl, token_max_ttl: $max, token_type: "service",
    bind_secret_id: true, secret_id_ttl: $sttl, secret_id_num_uses: 0}')
expect_ok "writing AppRole role $project"
if [[ $role_existed -eq 1 ]]; then log "approle role $project: updated"; else log "approle role $project: created"; fi

# 5. Credentials for the project's Vault Agent.
if [[ -n $out_dir ]]; then
  mkdir -p "$out_dir"
  vault_call GET "auth/approle/role/$project/role-id"
  expect_ok "reading the role id of $project"
  role_id=$(jq -r '.data.role_id // empty' <<<"$body")
  [[ -n $role_id ]] || die "Vault returned no role_id for $project"
  (umask 077 && printf '%s\n' "$role_id" >"$out_dir/role_id.tmp") && mv -f "$out_dir/role_id.tmp" "$out_dir/role_id"

  if [[ $persistent -eq 1 ]]; then
    # Unwrapped, for an agent that must log in again after every restart: bound to the agent's
    # network, with a lifetime; rotated by running this again (then destroy the old accessor).
    vault_call POST "auth/approle/role/$project/secret-id" - < <(jq -n \
      --arg cidrs "${APPROLE_SECRET_ID_CIDRS:-}" --arg ttl "${APPROLE_SECRET_ID_TTL:-2160h}" \
      '{metadata: "{\"written_by\":\"setup_approle.sh --persistent\"}", ttl: $ttl}
       + (if $cidrs == "" then {} else {cidr_list: ($cidrs | split(",")), token_bound_cidrs: ($cidrs | split(","))} end)')
    expect_ok "issuing a persistent secret id for $project"
    secret_id=$(jq -r '.data.secret_id // empty' <<<"$body")
    [[ -n $secret_id ]] || die "Vault returned no secret_id for $project"
    (umask 077 && printf '%s\n' "$secret_id" >"$out_dir/secret_id.tmp") && mv -f "$out_dir/secret_id.tmp" "$out_dir/secret_id"
    unset secret_id
    accessor=$(jq -r '.data.secret_id_accessor // "?"' <<<"$body")
    log "wrote $out_dir/role_id and $out_dir/secret_id (persistent, accessor $accessor, bound to ${APPROLE_SECRET_ID_CIDRS:-any address}, valid ${APPROLE_SECRET_ID_TTL:-2160h})"
    log "done: project $project can read secret/$project with its AppRole"
    exit 0
  fi
  vault_call POST "auth/approle/role/$project/secret-id" - -H "X-Vault-Wrap-TTL: $wrap_ttl" <<<'{}'
  expect_ok "issuing a wrapped secret id for $project"
  wrap_token=$(jq -r '.wrap_info.token // empty' <<<"$body")
  [[ -n $wrap_token ]] || die "Vault did not wrap the secret id (no wrap_info in the answer)"
  (umask 077 && printf '%s\n' "$wrap_token" >"$out_dir/secret_id.tmp") && mv -f "$out_dir/secret_id.tmp" "$out_dir/secret_id"
  unset wrap_token
  accessor=$(jq -r '.wrap_info.accessor // "?"' <<<"$body")
  log "wrote $out_dir/role_id and $out_dir/secret_id (wrapped, accessor $accessor, valid $wrap_ttl)"
fi

log "done: project $project can read secret/$project with its AppRole"
