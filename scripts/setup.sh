#!/usr/bin/env bash
# Sets up claude-agent on a Debian/Ubuntu machine: the system packages it
# drives (tmux, redis-server), its node modules, and the build. Idempotent;
# needs no input (CI runs it with no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
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
  echo "setup: installing node modules"
  # `npm ci` refuses this lock file: an optional dependency of qwen-code lists platform packages that
  # were never published (npm records none of them), so fall back to a plain install of the same lock.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
fi
echo "setup: building"
npm run --silent build
echo "setup: done (tmux $(tmux -V | cut -d' ' -f2), $(redis-server --version | grep -o 'v=[0-9.]*'), node $(node --version))"
