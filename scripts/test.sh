#!/usr/bin/env bash
# The whole test suite, with what it needs: the pre-commit framework (PyPI) for the hook tests,
# Node.js 20 or later for the verifier tests, Debian's chromium for the HTML report's browser
# test (tests/html_report.rs), and npm (with Node.js 20.17 or later, which
# lint-staged 16 needs) and binutils' strip for the npm package tests (tests/npm.rs,
# tests/lint_staged.rs; the latter installs lint-staged and husky from the npm registry once,
# into an npm cache under target/tmp/npm-tools). Missing ones are installed; a failed install
# fails here, loudly, rather than letting those tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -m pre_commit --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
python3 -m pre_commit --version

node_version() {
  node --version 2>/dev/null | sed -E 's/^v([0-9]+)\.([0-9]+).*/\1 \2/'
}
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  read -r major minor <<<"$(node_version)"
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 17 ]; }
}
apt_install() {
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "test.sh: installing $* (Debian packages)" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}
if ! node_ok; then
  apt_install nodejs
fi
if ! node_ok; then
  echo "test.sh: the tests need Node.js 20.17 or later on PATH (tests/verify.rs: the permission" >&2
  echo "model; tests/lint_staged.rs: lint-staged 16)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  apt_install npm
fi
if ! command -v strip >/dev/null 2>&1; then
  apt_install binutils
fi
# tests/html_report.rs opens the page in Debian's headless Chromium, at this path.
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: tests/html_report.rs needs Debian's chromium at /usr/bin/chromium" >&2
  exit 1
fi
for tool in npm npx git strip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test.sh: tests/npm.rs and tests/lint_staged.rs need $tool on PATH" >&2
    exit 1
  fi
done
echo "test.sh: node $(node --version), npm $(npm --version), $(/usr/bin/chromium --version 2>/dev/null)" >&2

cargo test --locked "$@"
