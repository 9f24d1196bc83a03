#!/usr/bin/env bash
# The whole test suite, with what it needs: the pre-commit framework (PyPI) for the hook tests
# and Node.js for the verifier tests. Missing ones are installed; a failed install fails here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -m pre_commit --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
python3 -m pre_commit --version

if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs
fi
node --version

cargo test --locked "$@"
