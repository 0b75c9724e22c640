#!/bin/sh
# As the official image's entrypoint: redis-server started without a configuration file listens
# on every address without protected mode (the network, not a password, keeps others out).
set -e
if [ "${1:-}" = redis-server ] && [ "${2#-}" != "${2:-x}" -o $# -eq 1 ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
