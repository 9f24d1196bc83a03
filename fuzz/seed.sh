#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's fixtures and rule pages.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/lint_source corpus/config
i=0
for f in ../fixtures/*/*.*; do
  case "$f" in *.js|*.mjs|*.cjs|*.jsx|*.ts|*.tsx) ;; *) continue ;; esac
  { printf '\x00'; cat "$f"; } > "corpus/lint_source/fixture-$i"
  { printf '\x04'; cat "$f"; } > "corpus/lint_source/fixture-ts-$i"
  i=$((i + 1))
done
printf 'env = ["node"]\nglobals = ["a"]\nignore = ["dist/**"]\n[rules]\nimplicit-global = "warn"\n[rules.unbounded-cache]\neviction_methods = ["evict"]\n' > corpus/config/full
printf '[rules.uncleared-interval]\ntop_level = true\nseverity = "error"\n' > corpus/config/table
echo "seeded $(ls corpus/lint_source | wc -l) sources and $(ls corpus/config | wc -l) configs"
