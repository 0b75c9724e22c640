#!/usr/bin/env bash
# Stores the variables of an env file as the KV v2 secret secret/<project>, with check-and-set
# against the version read just before, so a concurrent change is never overwritten silently.
# Values never appear on a command line or in the output: jq reads the file on stdin, curl
# sends the body from stdin and the token from a private header file.
set -euo pipefail

readonly PROG=${0##*/}

usage() {
  cat <<EOF
Usage: $PROG [options] <project> [ENV_FILE]

Writes every KEY=VALUE of ENV_FILE (default: .env) as secret/<project> in Vault (KV v2),
the env the project's Vault Agent renders. The write uses check-and-set with the current
version; an unchanged file writes nothing. Prints key names only, never values.

ENV_FILE syntax: KEY=value lines, optional 'export ', '#' comments, values optionally in
single or double quotes (taken literally). Values may not contain a backquote or a newline.

Options:
  -n, --dry-run    show what would change, write nothing
  -h, --help       show this help

Environment:
  VAULT_ADDR        Vault address, e.g. https://127.0.0.1:8200 (required)
  VAULT_TOKEN_FILE  file holding a token allowed to write secret/<project> (default: ~/.vault-token)
  VAULT_TOKEN       the token itself (used when set; prefer VAULT_TOKEN_FILE)
  VAULT_CACERT      CA certificate for Vault's TLS certificate
  VAULT_KV_MOUNT    mount of the KV v2 engine (default: secret)

Exit status: 0 written or unchanged, 1 error, 2 usage, 3 check-and-set conflict.
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

dry_run=0
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -n | --dry-run)
      dry_run=1
      shift
      ;;
    --)
      shift
      positional+=("$@")
      break
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      positional+=("$1")
      shift
      ;;
  esac
done

[[ ${#positional[@]} -ge 1 ]] || usage_error "missing <project>"
[[ ${#positional[@]} -le 2 ]] || usage_error "too many arguments"
project=${positional[0]}
env_file=${positional[1]:-.env}
[[ $project =~ ^[a-z][a-z0-9-]{0,31}$ ]] || usage_error "invalid project name '$project' (lower-case letters, digits, '-')"
[[ -f $env_file && -r $env_file ]] || die "env file not found or not readable: $env_file"

command -v curl >/dev/null || die "curl is not installed"
command -v jq >/dev/null || die "jq is not installed"
[[ -n ${VAULT_ADDR:-} ]] || die "VAULT_ADDR is not set (e.g. https://127.0.0.1:8200)"
VAULT_ADDR=${VAULT_ADDR%/}
mount=${VAULT_KV_MOUNT:-secret}
[[ $mount =~ ^[A-Za-z0-9_-]+$ ]] || die "invalid VAULT_KV_MOUNT '$mount'"

tmp=$(umask 077 && mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Parse the env file with jq, reading it on stdin: {"data": {...}, "errors": [...]}.
# shellcheck disable=SC2016 # $-names below are jq variables
jq -R -n '
  def unquote:
    if test("^\"[^\"]*\"$") or test("^'"'"'[^'"'"']*'"'"'$") then .[1:-1]
    else sub("\\s+#.*$"; "") | sub("\\s+$"; "")
    end;
  reduce (inputs | {n: input_line_number, line: sub("\r$"; "")}) as $l
    ({data: {}, errors: []};
     if ($l.line | test("^\\s*(#|$)")) then .
     else ([$l.line | sub("^\\s*export\\s+"; "") | capture("^\\s*(?<k>[^=\\s]+)\\s*=\\s*(?<v>.*)$")] | .[0]) as $kv
       | if $kv == null then .errors += ["line \($l.n): not KEY=VALUE"]
         elif ($kv.k | test("^[A-Za-z_][A-Za-z0-9_]*$") | not) then .errors += ["line \($l.n): invalid name \($kv.k)"]
         else ($kv.v | unquote) as $v
           | if ($v | test("`")) then .errors += ["line \($l.n): value of \($kv.k) contains a backquote"]
             else .data[$kv.k] = $v
             end
         end
     end)
' <"$env_file" >"$tmp/parsed.json" || die "cannot parse $env_file"

if [[ $(jq '.errors | length' "$tmp/parsed.json") -gt 0 ]]; then
  jq -r '.errors[] | "  " + .' "$tmp/parsed.json" >&2
  die "$env_file has errors (values are not shown)"
fi
jq -c '.data' "$tmp/parsed.json" >"$tmp/new.json"
[[ $(jq 'length' "$tmp/new.json") -gt 0 ]] || die "$env_file defines no variables"

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
# vault_call METHOD PATH [-]: '-' sends stdin as the JSON body; the answer lands in $tmp/body.
# Call it with redirected stdin, never at the end of a pipe: it must set $status here.
vault_call() {
  local method=$1 path=$2
  local args=(-sS -o "$tmp/body" -w '%{http_code}' -X "$method" -H @"$tmp/auth.header" --max-time 30)
  if [[ ${3:-} == - ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary @-)
  fi
  [[ -n ${VAULT_CACERT:-} ]] && args+=(--cacert "$VAULT_CACERT")
  if ! status=$(curl "${args[@]}" "$VAULT_ADDR/v1/$path"); then
    die "cannot reach Vault at $VAULT_ADDR ($method /v1/$path)"
  fi
}

vault_errors() {
  jq -r '(.errors // []) | map(tostring) | join("; ")' "$tmp/body" 2>/dev/null || true
}

fail_http() {
  local what=$1 detail
  detail=$(vault_errors)
  case $status in
    403) die "$what: permission denied (HTTP 403)${detail:+: $detail}" ;;
    *) die "$what failed (HTTP $status)${detail:+: $detail}" ;;
  esac
}

vault_call GET "sys/health?standbyok=true"
case $status in
  200 | 429) ;;
  501) die "Vault at $VAULT_ADDR is not initialised (docs/vault-unseal.md)" ;;
  503) die "Vault at $VAULT_ADDR is sealed: unseal it first (docs/vault-unseal.md)" ;;
  *) die "Vault health check failed (HTTP $status)" ;;
esac

# Current version (0 = the secret does not exist yet; cas=0 then means "create only").
vault_call GET "$mount/metadata/$project"
case $status in
  200) version=$(jq -r '.data.current_version // 0' "$tmp/body") ;;
  404) version=0 ;;
  *) fail_http "reading $mount/metadata/$project" ;;
esac

echo '{}' >"$tmp/old.json"
if [[ $version -gt 0 ]]; then
  vault_call GET "$mount/data/$project?version=$version"
  case $status in
    200) jq -c '.data.data // {}' "$tmp/body" >"$tmp/old.json" ;;
    404) ;; # latest version deleted or destroyed: treat as empty
    *) fail_http "reading $mount/data/$project" ;;
  esac
fi

# Key names only.
changes=$(jq -rn --slurpfile old "$tmp/old.json" --slurpfile new "$tmp/new.json" '
  ($old[0]) as $o | ($new[0]) as $n
  | ([$n | keys[] | select($o[.] == null)] | map("+" + .)) as $added
  | ([$o | keys[] | select($n[.] == null)] | map("-" + .)) as $removed
  | ([$n | keys[] | select($o[.] != null and $o[.] != $n[.])] | map("~" + .)) as $changed
  | ($added + $changed + $removed) | join(" ")')

if [[ -z $changes ]]; then
  log "$mount/$project unchanged (version $version, $(jq 'length' "$tmp/new.json") keys)"
  exit 0
fi

if [[ $dry_run -eq 1 ]]; then
  log "dry run: would write $mount/$project over version $version: $changes"
  exit 0
fi

jq -n --argjson cas "$version" --slurpfile new "$tmp/new.json" '{options: {cas: $cas}, data: $new[0]}' >"$tmp/write.json"
vault_call POST "$mount/data/$project" - <"$tmp/write.json"
if [[ $status == 400 ]] && grep -qi 'check-and-set' "$tmp/body"; then
  echo "$PROG: conflict: $mount/$project changed after version $version was read; nothing written. Re-run to apply $env_file on top of the new version." >&2
  exit 3
fi
[[ $status == 2* ]] || fail_http "writing $mount/data/$project"
new_version=$(jq -r '.data.version // "?"' "$tmp/body")
log "wrote $mount/$project version $new_version: $changes"
