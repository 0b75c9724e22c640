#!/usr/bin/env bash
# Obtains (or expands) one Let's Encrypt certificate for the given domains with certbot's
# webroot plugin: nginx serves /.well-known/acme-challenge/ from CERTBOT_WEBROOT on port 80.
# The deploy hook (scripts/reload_nginx.sh) is stored in the renewal config, so certbot's
# timer reloads nginx after every renewal too.
#
# First start: nginx cannot start without a certificate, so `--self-signed` writes a
# placeholder into the lineage; the next real run moves it aside (and restores it if certbot
# fails) before asking Let's Encrypt.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly PLACEHOLDER_MARK=.pjs-self-signed

usage() {
  cat <<EOF
Usage: $PROG [options] <domain>...

Requests one certificate covering all <domain>s (lineage name: the first domain, or
--cert-name) with certbot --webroot, then nginx is reloaded by the deploy hook.

Options:
  -e, --email ADDR     account e-mail for Let's Encrypt (default: \$CERTBOT_EMAIL)
      --cert-name NAME lineage name under LETSENCRYPT_DIR/live/ (default: first domain)
      --staging        use Let's Encrypt's staging CA (for trials; untrusted certificates)
      --self-signed    write a self-signed placeholder (30 days) instead; no certbot, no reload
  -h, --help           show this help

Environment:
  LETSENCRYPT_DIR   certbot's config dir, mounted into nginx (default: /etc/letsencrypt)
  CERTBOT_WEBROOT   webroot served by nginx for HTTP-01 (default: /var/www/certbot)
  CERTBOT           certbot command (default: certbot)
  DEPLOY_HOOK       hook run after issuance/renewal (default: $ROOT/scripts/reload_nginx.sh)
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

email=${CERTBOT_EMAIL:-}
cert_name=""
staging=0
self_signed=0
domains=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -e | --email)
      [[ $# -ge 2 ]] || usage_error "option $1 needs an address"
      email=$2
      shift 2
      ;;
    --cert-name)
      [[ $# -ge 2 ]] || usage_error "option $1 needs a name"
      cert_name=$2
      shift 2
      ;;
    --staging)
      staging=1
      shift
      ;;
    --self-signed)
      self_signed=1
      shift
      ;;
    --)
      shift
      domains+=("$@")
      break
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      domains+=("$1")
      shift
      ;;
  esac
done

[[ ${#domains[@]} -gt 0 ]] || usage_error "missing <domain>"
domain_re='^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'
for d in "${domains[@]}"; do
  [[ $d =~ $domain_re ]] || usage_error "invalid domain '$d' (lower-case host names only)"
done
cert_name=${cert_name:-${domains[0]}}
[[ $cert_name =~ ^[a-z0-9][a-z0-9.-]*$ ]] || usage_error "invalid --cert-name '$cert_name'"

le_dir=${LETSENCRYPT_DIR:-/etc/letsencrypt}
webroot=${CERTBOT_WEBROOT:-/var/www/certbot}
live=$le_dir/live/$cert_name

if [[ $self_signed -eq 1 ]]; then
  command -v openssl >/dev/null || die "openssl is not installed"
  if [[ -e $live/fullchain.pem && ! -e $live/$PLACEHOLDER_MARK ]]; then
    die "$live already holds a real certificate; not replacing it with a self-signed one"
  fi
  mkdir -p "$live"
  san=$(printf 'DNS:%s,' "${domains[@]}")
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
    -subj "/CN=${domains[0]}" -addext "subjectAltName=${san%,}" \
    -keyout "$live/privkey.pem.tmp" -out "$live/fullchain.pem.tmp" >/dev/null 2>&1) ||
    die "openssl could not create the self-signed certificate"
  mv -f "$live/privkey.pem.tmp" "$live/privkey.pem"
  mv -f "$live/fullchain.pem.tmp" "$live/fullchain.pem"
  chmod 644 "$live/fullchain.pem"
  cp "$live/fullchain.pem" "$live/chain.pem"
  touch "$live/$PLACEHOLDER_MARK"
  log "wrote a self-signed placeholder for ${domains[*]} in $live (valid 30 days)"
  exit 0
fi

[[ -n $email ]] || usage_error "missing --email (or CERTBOT_EMAIL)"
[[ $email =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] || usage_error "invalid e-mail address '$email'"
read -r -a certbot <<<"${CERTBOT:-certbot}"
command -v "${certbot[0]}" >/dev/null 2>&1 || die "certbot not found (install it: apt-get install certbot)"
hook=${DEPLOY_HOOK:-$ROOT/scripts/reload_nginx.sh}
[[ -x ${hook%% *} ]] || die "deploy hook not executable: $hook"
mkdir -p "$webroot"

# A placeholder lineage would make certbot refuse ("live directory exists"): move it aside
# and put it back if certbot fails, so nginx keeps a certificate to (re)load.
backup=""
restore_placeholder() {
  if [[ -n $backup && -d $backup && ! -e $live/fullchain.pem ]]; then
    rm -rf "$live"
    mv "$backup" "$live"
    log "certbot failed: self-signed placeholder restored in $live"
  fi
}
if [[ -e $live/$PLACEHOLDER_MARK ]]; then
  backup=$(mktemp -d "$le_dir/.placeholder-$cert_name.XXXXXX")
  rmdir "$backup"
  mv "$live" "$backup"
  trap restore_placeholder EXIT
fi

args=(certonly --non-interactive --agree-tos --email "$email"
  --webroot --webroot-path "$webroot"
  --config-dir "$le_dir"
  --cert-name "$cert_name" --keep-until-expiring --expand
  --deploy-hook "$hook")
[[ $staging -eq 1 ]] && args+=(--staging)
for d in "${domains[@]}"; do args+=(-d "$d"); done

log "requesting a certificate for ${domains[*]} (lineage $cert_name)"
if ! "${certbot[@]}" "${args[@]}"; then
  die "certbot failed for ${domains[*]}; see its log (/var/log/letsencrypt/letsencrypt.log)"
fi
[[ -e $live/fullchain.pem ]] || die "certbot succeeded but $live/fullchain.pem is missing"
if [[ -n $backup ]]; then
  rm -rf "$backup"
  trap - EXIT
fi
log "certificate for ${domains[*]} is in $live"
