# Vault Agent sidecar of the dbu stack (compose service dbu-vault-agent).
# Logs in with AppRole and renders secret/dbu as the env file the dbu containers read through
# ENV_FILE=/vault/secrets/app.env. VAULT_ADDR and VAULT_CACERT come from the environment.
#
# /vault/approle/role_id   - written by scripts/setup_approle.sh (not secret on its own)
# /vault/approle/secret_id - the role's secret id, written by `setup_approle.sh --persistent`:
#                            kept (not deleted after reading) so that the agent logs in again
#                            by itself after a restart or reboot, once Vault is unsealed; bound
#                            to the agent's network (CIDR), 90-day lifetime, on a root-only host
#                            directory, rotated by the runbook in docs/vault-unseal.md.
# While Vault is sealed or unreachable, auto-auth retries (backoff up to max_backoff) instead of
# exiting; the apps wait for the env file meanwhile (docs/vault-unseal.md).

pid_file = "/tmp/vault-agent.pid"

vault {
  retry {
    num_retries = 5
  }
}

auto_auth {
  method "approle" {
    mount_path  = "auth/approle"
    min_backoff = "2s"
    max_backoff = "15s"
    config = {
      role_id_file_path                   = "/vault/approle/role_id"
      secret_id_file_path                 = "/vault/approle/secret_id"
      remove_secret_id_file_after_reading = false
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
