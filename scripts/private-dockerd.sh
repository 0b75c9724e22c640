#!/usr/bin/env bash
# A Docker engine of our own beside the machine's (shared) one, for the drills that restart the
# engine (reboot drill) or must not meet other users' containers (deploy drill):
#   scripts/private-dockerd.sh start|stop|restart|status|env
# Own socket, data root, exec root, pid file, bridge and address pool; iptables off, so it never
# touches the shared engine's chains (published ports go through docker-proxy on 127.0.0.1).
# Builds reach the package registries through two rules of its own for its address range only
# (masquerade out, forward out and back), added once and left in place.
# `eval "$(scripts/private-dockerd.sh env)"` points docker and docker-compose at it.
# The engine runs with --live-restore=false: a restart stops every container, as a reboot does.
set -euo pipefail
NAME=${PJS_PRIVATE_DOCKERD:-pjs-drill}
ROOT=/var/lib/$NAME-docker
EXEC_ROOT=/run/$NAME-docker
SOCKET=/run/$NAME-docker.sock
PIDFILE=/run/$NAME-docker.pid
LOG=/var/log/$NAME-dockerd.log
BRIDGE=${PJS_PRIVATE_BRIDGE:-pjsdrill0}
BIP=${PJS_PRIVATE_BIP:-10.213.254.1/24}
POOL=${PJS_PRIVATE_POOL:-10.213.0.0/17}
export PATH="$PATH:/usr/sbin:/sbin"

answers() { /usr/bin/docker -H "unix://$SOCKET" info >/dev/null 2>&1; }
running_pid() {
  [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && cat "$PIDFILE"
}

# outbound: NAT and forwarding for our address range (the bridge's and the pool's).
outbound() {
  local range
  [[ $(cat /proc/sys/net/ipv4/ip_forward) == 1 ]] || echo 1 >/proc/sys/net/ipv4/ip_forward
  for range in "$POOL" "$(ipcalc_net "$BIP")"; do
    iptables -t nat -C POSTROUTING -s "$range" ! -d "$range" -j MASQUERADE 2>/dev/null ||
      iptables -t nat -A POSTROUTING -s "$range" ! -d "$range" -j MASQUERADE
    iptables -C FORWARD -s "$range" -j ACCEPT 2>/dev/null || iptables -I FORWARD -s "$range" -j ACCEPT
    iptables -C FORWARD -d "$range" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT 2>/dev/null ||
      iptables -I FORWARD -d "$range" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  done
}
# ipcalc_net 10.213.254.1/24 -> 10.213.254.0/24 (a /24 or wider on an octet boundary is enough here)
ipcalc_net() {
  local ip=${1%/*} bits=${1#*/} a b c d
  IFS=. read -r a b c d <<<"$ip"
  case $bits in
    8) echo "$a.0.0.0/8" ;;
    16) echo "$a.$b.0.0/16" ;;
    *) echo "$a.$b.$c.0/$bits" ;;
  esac
  : "$d"
}

start() {
  if answers; then return 0; fi
  [[ $(id -u) == 0 ]] || { echo "private-dockerd: needs root" >&2; exit 1; }
  command -v dockerd >/dev/null || { echo "private-dockerd: dockerd is missing (apt-get install docker.io)" >&2; exit 1; }
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BIP" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  outbound
  mkdir -p "$ROOT" "$EXEC_ROOT"
  nohup dockerd --data-root "$ROOT" --exec-root "$EXEC_ROOT" -H "unix://$SOCKET" --pidfile "$PIDFILE" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false --ip-forward=false \
    --default-address-pool "base=$POOL,size=24" --cgroup-parent "$NAME" \
    --live-restore=false --storage-driver overlay2 >>"$LOG" 2>&1 &
  for _ in $(seq 1 60); do
    if answers; then
      echo "private-dockerd: $NAME engine up (unix://$SOCKET, log $LOG)"
      # It deleted the shared engine's docker0 as it started (it was given another bridge).
      bash "$(dirname "${BASH_SOURCE[0]}")/docker-default-bridge.sh"
      return 0
    fi
    sleep 1
  done
  tail -20 "$LOG" >&2
  echo "private-dockerd: the $NAME engine did not start" >&2
  exit 1
}

stop() {
  local pid
  pid=$(running_pid) || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "private-dockerd: $NAME engine stopped"
      bash "$(dirname "${BASH_SOURCE[0]}")/docker-default-bridge.sh"
      return 0
    fi
    sleep 1
  done
  echo "private-dockerd: the $NAME engine did not stop within 60 s" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart)
    stop
    start
    ;;
  status)
    if answers; then echo "up (unix://$SOCKET)"; else
      echo down
      exit 1
    fi
    ;;
  env) echo "export DOCKER_HOST=unix://$SOCKET" ;;
  *)
    echo "usage: $0 start|stop|restart|status|env" >&2
    exit 2
    ;;
esac
