# Vault Agent sidecar of the dbu stack (compose service dbu-vault-agent).
# Logs in with AppRole and renders secret/dbu as the env file the dbu containers read through
# ENV_FILE=/vault/secrets/app.env. VAULT_ADDR and VAULT_CACERT come from the environment.
#
# /vault/approle/role_id   - written by scripts/setup_approle.sh (not secret on its own)
# /vault/approle/secret_id - a *response-wrapped* secret id (a single-use wrapping token with a
#                            short TTL) written by setup_approle.sh; the agent unwraps it,
#                            checks that it was wrapped by auth/approle/role/dbu/secret-id and
#                            deletes the file.

pid_file = "/tmp/vault-agent.pid"

vault {
  retry {
    num_retries = 5
  }
}

auto_auth {
  method "approle" {
    mount_path = "auth/approle"
    config = {
      role_id_file_path                   = "/vault/approle/role_id"
      secret_id_file_path                 = "/vault/approle/secret_id"
      secret_id_response_wrapping_path    = "auth/approle/role/dbu/secret-id"
      remove_secret_id_file_after_reading = true
    }
  }

  sink "file" {
    config = {
      path = "/tmp/vault-agent-token"
      mode = 0600
    }
  }
}

template_config {
  exit_on_retry_failure         = true
  static_secret_render_interval = "5m"
}

# dotenv syntax; backquotes keep quotes and # in values literal (push_env_to_vault.sh refuses
# values with a backquote or a newline). Keys are sorted, so re-renders are stable.
template {
  destination          = "/vault/secrets/app.env"
  perms                = "0640"
  error_on_missing_key = true
  contents             = <<-EOT
  {{- with secret "secret/data/dbu" -}}
  {{- range $key, $value := .Data.data }}
  {{ $key }}=`{{ $value }}`
  {{- end }}
  {{- end }}
  EOT
}
