#!/usr/bin/env bash
# Sets up claude-agent on a Debian/Ubuntu machine: the system packages it
# drives (tmux, redis-server), its node modules, and the build. Idempotent;
# needs no input (CI runs it with no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)  # sandbox: bwrap
# bash's loadable tee: a shell agent's pane saves each task's output without an exec of /usr/bin/tee
[ -f /usr/lib/bash/tee ] || missing+=(bash-builtins)
# backups are .tar.zst (without zstd they fall back to .tar.gz)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]} with apt-get"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "setup: need root to install ${missing[*]}: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing node modules (npm ci, exactly as package-lock.json says)"
  lock_before=$(sha256sum package-lock.json)
  # No fallback to `npm install`: that would rewrite the lock and hide the problem. If npm ci refuses
  # the lock, the lock is wrong (test/security/install-lock.test.ts checks it) and setup must stop.
  # --loglevel=error: the current Claude Code and Qwen Code declare Node >= 22 (EBADENGINE warnings on
  # Node 20); on Node 20 those agents run with the Node 22 installed below.
  npm ci --no-audit --no-fund --loglevel=error
  if [ "$(sha256sum package-lock.json)" != "$lock_before" ]; then
    echo "setup: FAILED: installing the node modules changed package-lock.json; the lock must install exactly as committed (npm ci)" >&2
    exit 1
  fi
fi

# Qwen Code 0.24 needs Node >= 22 (Claude Code 2.1.3xx's package declares it too; its binary is native). Where this
# machine's Node is older, a Node 22 from the npm registry's `node` packages goes into claude-agent's
# cache (never the system); the real-program tests and `node: 22` agents run their programs with it.
if [ "$node_major" -lt 22 ]; then
  node22=$(node scripts/node-cache.mjs 22)
  echo "setup: Node 22 for the agent programs: $node22 ($("$node22" --version))"
fi
# Only when a source is newer than the build: a second `npm run demo` starts at once.
node scripts/build-if-changed.mjs
echo "setup: done (tmux $(tmux -V | cut -d' ' -f2), $(redis-server --version | grep -o 'v=[0-9.]*'), node $(node --version))"
