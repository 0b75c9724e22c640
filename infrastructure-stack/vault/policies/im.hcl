# Read-only access of the im project to its own secrets (KV v2 mounted at secret/).
# secret/im holds the env of the im stack; secret/im/* may hold extra documents.

path "secret/data/im" {
  capabilities = ["read"]
}

path "secret/data/im/*" {
  capabilities = ["read"]
}

path "secret/metadata/im" {
  capabilities = ["read"]
}

path "secret/metadata/im/*" {
  capabilities = ["read", "list"]
}
