#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): installs the npm package `leaklint` of the
# version in the action's Cargo.toml (a prebuilt binary: seconds, no Rust toolchain) and puts
# it on PATH. Says whether it did in the step output `installed` (true/false); when it did not,
# action.yml builds leaklint from the action's source with cargo instead.
#
# LEAKLINT_INSTALL (the action's `install` input):
#   auto   npm when node and npm are there and the registry has that version for this platform,
#          else false (the build follows); the default
#   npm    npm or fail
#   cargo  nothing here (false)
# GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH and RUNNER_TEMP are the runner's. npm's own
# settings (an .npmrc, npm_config_registry) choose the registry.
set -euo pipefail

mode="${LEAKLINT_INSTALL:-auto}"
case "$mode" in
  auto | npm | cargo) ;;
  *)
    echo "::error title=leaklint::install must be auto, npm or cargo, not \`$mode\`"
    exit 2
    ;;
esac

not_installed() {
  if [ "$mode" = npm ]; then
    echo "::error title=leaklint::$1"
    exit 1
  fi
  if [ "$mode" = auto ]; then
    echo "::notice title=leaklint::$1; building leaklint from source instead"
  fi
  echo "installed=false" >>"$GITHUB_OUTPUT"
  exit 0
}

if [ "$mode" = cargo ]; then
  not_installed "install: cargo"
fi

version=$(sed -n '/^\[package\]/,/^\[/{s/^version *= *"\([^"]*\)".*/\1/p}' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
if [ -z "$version" ]; then
  not_installed "no version in $GITHUB_ACTION_PATH/Cargo.toml"
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  not_installed "node and npm are not on PATH, so the npm package leaklint@$version cannot be used"
fi

prefix="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leaklint-npm"
rm -rf "$prefix"
mkdir -p "$prefix"
echo '{ "private": true }' >"$prefix/package.json"
if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock \
  "leaklint@$version" >"$prefix/install.log" 2>&1; then
  cat "$prefix/install.log" >&2
  not_installed "npm could not install leaklint@$version"
fi
said=$("$prefix/node_modules/.bin/leaklint" --version 2>&1) || true
if [ "$said" != "leaklint $version" ]; then
  echo "$said" >&2
  not_installed "the npm package leaklint@$version does not run here"
fi
echo "leaklint $version installed from npm into $prefix"
echo "$prefix/node_modules/.bin" >>"$GITHUB_PATH"
echo "installed=true" >>"$GITHUB_OUTPUT"
