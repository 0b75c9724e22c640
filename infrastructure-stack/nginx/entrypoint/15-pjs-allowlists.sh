#!/bin/sh
# Renders nginx's address allowlists from the apps' own settings when the container starts
# (the official image runs /docker-entrypoint.d/*.sh in order, before 20-envsubst-on-templates.sh):
#
#   PJS_ADMIN_ALLOWED_IPS     = ADMIN_ALLOWED_IPS     -> $PJS_ALLOWLIST_DIR/admin.conf
#   PJS_INTERNAL_ALLOWED_IPS  = INTERNAL_ALLOWED_IPS  -> $PJS_ALLOWLIST_DIR/internal.conf
#
# Comma-separated IPs/CIDRs, as the apps read them (libs/config). An empty list lets no one in when
# PJS_NODE_ENV=production (the default) and everyone in otherwise: the apps decide the same way.
# A malformed entry stops the container rather than open or close a path by surprise.
set -eu

dir=${PJS_ALLOWLIST_DIR:-/etc/nginx/conf.d/allowlists}
node_env=${PJS_NODE_ENV:-production}

ME=$(basename "$0")

# render NAME VALUE FILE
render() {
  name=$1
  value=$2
  file=$3
  tmp="$file.tmp"
  {
    echo "# Rendered by $ME from $name at container start; do not edit."
    entries=$(printf '%s' "$value" | tr ',' ' ')
    count=0
    for entry in $entries; do
      if ! printf '%s' "$entry" | grep -Eq '^([0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$'; then
        echo "$ME: $name: '$entry' is not an IP address or CIDR" >&2
        exit 1
      fi
      echo "allow $entry;"
      count=$((count + 1))
    done
    if [ "$count" -gt 0 ] || [ "$node_env" = production ]; then
      echo "deny all;"
    else
      echo "allow all;"
    fi
  } >"$tmp"
  mv "$tmp" "$file"
}

mkdir -p "$dir"
render ADMIN_ALLOWED_IPS "${PJS_ADMIN_ALLOWED_IPS:-}" "$dir/admin.conf"
render INTERNAL_ALLOWED_IPS "${PJS_INTERNAL_ALLOWED_IPS:-}" "$dir/internal.conf"
echo "$ME: rendered $dir/admin.conf and $dir/internal.conf ($node_env)"
