# Vault server, production (compose/infrastructure-stack/docker-compose.prod.yml).
# Integrated storage (raft) on the vault_data volume, TLS on the listener, UI over the VPN only.
# Audit devices are not part of the server config in Vault: scripts/setup_approle.sh
# enables the file audit device below (path audit/file -> /vault/logs/audit.log) on first deploy.

ui            = true
cluster_name  = "pjs"
api_addr      = "https://vault:8200"
cluster_addr  = "https://vault:8201"
log_level     = "info"
log_format    = "json"

# HashiCorp recommends disabling mlock with integrated storage (raft memory-maps its database);
# keep swap off or encrypted on the VPS instead.
disable_mlock = true

storage "raft" {
  path    = "/vault/data"
  node_id = "vault-1"
}

listener "tcp" {
  address                  = "0.0.0.0:8200"
  cluster_address          = "0.0.0.0:8201"
  tls_cert_file            = "/vault/tls/vault.crt"
  tls_key_file             = "/vault/tls/vault.key"
  tls_min_version          = "tls12"
  tls_disable_client_certs = true

  telemetry {
    unauthenticated_metrics_access = false
  }
}

telemetry {
  disable_hostname          = true
  prometheus_retention_time = "24h"
}

# Tokens issued to agents are short; AppRole roles set their own TTLs (setup_approle.sh).
default_lease_ttl = "1h"
max_lease_ttl     = "24h"
