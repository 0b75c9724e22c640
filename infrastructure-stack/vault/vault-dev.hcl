# Vault server for development (docker-compose.override.yml): file storage on the vault_data
# volume, plain HTTP on the private is-net/dbu-net/im-net only. Unseal keys and root token
# are printed by `vault operator init` (see docs/vault-unseal.md); never use this in production.

ui            = true
api_addr      = "http://vault:8200"
log_level     = "debug"
disable_mlock = true

storage "file" {
  path = "/vault/file"
}

listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}
