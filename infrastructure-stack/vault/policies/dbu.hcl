# Read-only access of the dbu project to its own secrets (KV v2 mounted at secret/).
# secret/dbu holds the env of the dbu stack; secret/dbu/* may hold extra documents.

path "secret/data/dbu" {
  capabilities = ["read"]
}

path "secret/data/dbu/*" {
  capabilities = ["read"]
}

path "secret/metadata/dbu" {
  capabilities = ["read"]
}

path "secret/metadata/dbu/*" {
  capabilities = ["read", "list"]
}
