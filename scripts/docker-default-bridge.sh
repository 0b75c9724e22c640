#!/usr/bin/env bash
# Puts back the shared Docker engine's default bridge (docker0) when it is missing.
#
# A second dockerd started with --bridge <other> deletes the interface docker0 at start-up (Docker
# removes the default bridge when told to use another one), although the machine's shared engine
# still uses it: its next container then fails with "could not find bridge docker0". Our private
# engines (scripts/private-dockerd.sh) do exactly that, so they call this after they start and
# stop, and scripts/ci-docker.sh calls it before it uses the shared engine.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
shared=(/usr/bin/docker -H unix:///var/run/docker.sock)

"${shared[@]}" info >/dev/null 2>&1 || exit 0 # no shared engine: nothing to mend
# "<name> <gateway>|<subnet>;" per address range: the gateway may be empty, so a separator of its own.
read -r name ranges < <("${shared[@]}" network inspect bridge \
  -f '{{index .Options "com.docker.network.bridge.name"}} {{range .IPAM.Config}}{{.Gateway}}|{{.Subnet}};{{end}}')
first=${ranges%%;*}
gateway=${first%%|*}
subnet=${first#*|}
[[ -n "$name" ]] || exit 0
ip link show "$name" >/dev/null 2>&1 && exit 0
[[ -n "$subnet" ]] || {
  echo "docker-default-bridge: $name is missing and the engine names no subnet for it" >&2
  exit 1
}
# Docker 28 may list only the subnet; its default gateway is then the subnet's first address.
if [[ -z "$gateway" ]]; then
  IFS=. read -r a b c d <<<"${subnet%/*}"
  gateway="$a.$b.$c.$((d + 1))"
fi
ip link add "$name" type bridge
ip addr add "$gateway/${subnet#*/}" dev "$name"
ip link set "$name" up
echo "docker-default-bridge: put back $name ($gateway/${subnet#*/}) for the shared engine"
