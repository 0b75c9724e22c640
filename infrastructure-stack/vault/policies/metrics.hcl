# Read-only access to Vault's telemetry for Prometheus (job vault, infrastructure-stack/prometheus/
# prometheus.yml). Nothing else: the token can read no secret and change nothing.
#   vault policy write pjs-metrics infrastructure-stack/vault/policies/metrics.hcl
# docs/operations.md ("Vault telemetry") creates the token file from it.

path "sys/metrics" {
  capabilities = ["read"]
}
