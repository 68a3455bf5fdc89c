#!/usr/bin/env bash
# Runs the jest suite under Node 22, the major of the Lambda runtime this project deploys to
# (scripts/node22.sh installs it on first use). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

node22="$(bash scripts/node22.sh)"
echo "Running jest under $("$node22" --version)" >&2
# Put Node 22 first on PATH so that every process the tests spawn (tsx, serverless-offline) runs on it too.
PATH="$(dirname "$node22"):$PATH" exec "$node22" node_modules/jest/bin/jest.js "$@"
