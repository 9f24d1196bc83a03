#!/usr/bin/env bash
# The step of the GitHub Action (action.yml) that runs leaklint: SARIF into a file when asked,
# then annotations (`--format github`), whose exit status decides the step's.
#
# Inputs come as environment variables (never pasted into the script, so no input can inject
# shell code): LEAKLINT_PATHS and LEAKLINT_ARGS are split on whitespace (paths with spaces are
# not supported), LEAKLINT_SARIF_FILE is one path.
set -euo pipefail
set -f # a path is a word, not a glob

# shellcheck disable=SC2206
paths=(${LEAKLINT_PATHS:-.})
# shellcheck disable=SC2206
args=(${LEAKLINT_ARGS:-})
if [ ${#paths[@]} -eq 0 ]; then
  paths=(.)
fi

if [ -n "${LEAKLINT_SARIF_FILE:-}" ]; then
  mkdir -p "$(dirname -- "$LEAKLINT_SARIF_FILE")"
  status=0
  leaklint check --format sarif "${args[@]}" -- "${paths[@]}" >"$LEAKLINT_SARIF_FILE" || status=$?
  # 1 means findings, which the SARIF file holds; 2 and above mean leaklint could not run.
  if [ "$status" -ge 2 ]; then
    echo "::error title=leaklint::leaklint failed (exit status $status) while writing $LEAKLINT_SARIF_FILE"
    exit "$status"
  fi
fi

exec leaklint check --format github "${args[@]}" -- "${paths[@]}"
