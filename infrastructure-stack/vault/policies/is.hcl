# Read-only access of the is project to its own secrets (KV v2 mounted at secret/).
# secret/is holds the env of the is stack; secret/is/* may hold extra documents.

path "secret/data/is" {
  capabilities = ["read"]
}

path "secret/data/is/*" {
  capabilities = ["read"]
}

path "secret/metadata/is" {
  capabilities = ["read"]
}

path "secret/metadata/is/*" {
  capabilities = ["read", "list"]
}
