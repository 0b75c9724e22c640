#!/usr/bin/env bash
# Entrypoint of the rabbitmq stand-in: as the official image, it drops root for the rabbitmq user
# and honours RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS / RABBITMQ_DEFAULT_VHOST (written to
# conf.d/05-env-default-user.conf, so a conf.d file mounted later in the order still wins).
set -euo pipefail

if [[ "$(id -u)" == 0 ]]; then
  env_conf=/etc/rabbitmq/conf.d/05-env-default-user.conf
  rm -f "$env_conf"
  {
    [[ -z "${RABBITMQ_DEFAULT_USER:-}" ]] || printf 'default_user = %s\n' "$RABBITMQ_DEFAULT_USER"
    [[ -z "${RABBITMQ_DEFAULT_PASS:-}" ]] || printf 'default_pass = %s\n' "$RABBITMQ_DEFAULT_PASS"
    [[ -z "${RABBITMQ_DEFAULT_VHOST:-}" ]] || printf 'default_vhost = %s\n' "$RABBITMQ_DEFAULT_VHOST"
  } >"$env_conf.tmp"
  if [[ -s "$env_conf.tmp" ]]; then
    chmod 0640 "$env_conf.tmp"
    chown root:rabbitmq "$env_conf.tmp"
    mv "$env_conf.tmp" "$env_conf"
  else
    rm -f "$env_conf.tmp"
  fi
  # The server reads these itself too; the file above is the one source.
  unset RABBITMQ_DEFAULT_USER RABBITMQ_DEFAULT_PASS RABBITMQ_DEFAULT_VHOST
  find /var/lib/rabbitmq \! -user rabbitmq -exec chown rabbitmq:rabbitmq '{}' +
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "${BASH_SOURCE[0]}" "$@"
fi

exec "$@"
