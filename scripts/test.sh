#!/usr/bin/env bash
# The whole test suite, with what it needs: the pre-commit framework (PyPI) for the hook tests
# and Node.js 20 or later for the verifier tests. Missing ones are installed; a failed install
# fails here, loudly, rather than letting those tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -m pre_commit --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
python3 -m pre_commit --version

node_major() {
  node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'
}
if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "test.sh: installing Node.js (tests/verify.rs needs node 20 or later)" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
  fi
fi
if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
  echo "test.sh: tests/verify.rs needs Node.js 20 or later on PATH (the permission model)" >&2
  exit 1
fi
echo "test.sh: node $(node --version)" >&2

cargo test --locked "$@"
