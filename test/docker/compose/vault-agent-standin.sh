#!/bin/sh
# CI stand-in for a stack's Vault Agent (hashicorp/vault cannot be pulled here): renders the
# stack's env file where the real agent would (/vault/secrets/app.env, mode 0640, owned by the
# apps' uid), then idles until stopped. Vault itself is covered by the config tests.
set -eu
cp /pjs-test/app.env /vault/secrets/app.env.tmp
chmod 0640 /vault/secrets/app.env.tmp
mv /vault/secrets/app.env.tmp /vault/secrets/app.env
echo "vault-agent stand-in: rendered /vault/secrets/app.env"
trap 'exit 0' TERM INT
while :; do
  sleep 3600 &
  wait $!
done
