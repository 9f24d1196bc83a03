#!/usr/bin/env bash
# The real-world corpus sweep (issue 6): leaklint on ~11,000 files of popular npm packages with
# every rule at its default severity (all on), three times: -j 2, -j 2 again, and -j 1.
#
#   scripts/sweep.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to /work/bench-corpus when it exists, else target/bench/corpus. The
# corpus is built there with ../shared/bench/build_corpus.sh unless CORPUS_DIR/corpus exists.
#
# Fails (exit 1) when a run panics, aborts or hangs (an exit status other than 0, 1 or 2,
# "panicked" on stderr, or the time limit), or when the three JSON reports are not
# byte-for-byte identical (output order must be deterministic: nothing is sorted here).
# Prints: files, seconds and peak memory per run, findings per rule, errors by kind.
#
# Environment: SWEEP_TIMEOUT (seconds per run, default 900), SWEEP_NO_BUILD=1 (use the
# existing target/release/leaklint), LEAKLINT_SHARED (default ../shared from the repository).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${LEAKLINT_SHARED:-$ROOT/../shared}"
TIMEOUT="${SWEEP_TIMEOUT:-900}"
if [[ $# -ge 1 ]]; then
  CORPUS_DIR="$1"
elif [[ -d /work/bench-corpus ]]; then
  CORPUS_DIR=/work/bench-corpus
else
  CORPUS_DIR="$ROOT/target/bench/corpus"
fi

cd "$ROOT"
if [[ -z "${SWEEP_NO_BUILD:-}" ]]; then
  echo "== cargo build --release"
  cargo build --release --quiet
fi
BIN="$ROOT/target/release/leaklint"
[[ -x "$BIN" ]] || { echo "sweep: no $BIN" >&2; exit 1; }

if [[ ! -d "$CORPUS_DIR/corpus" ]]; then
  echo "== building the corpus in $CORPUS_DIR"
  bash "$SHARED/bench/build_corpus.sh" "$CORPUS_DIR"
fi
CORPUS="$(cd "$CORPUS_DIR/corpus" && pwd)"

OUT="$(mktemp -d "${TMPDIR:-/tmp}/leaklint-sweep.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT
echo "== leaklint $("$BIN" --version | awk '{print $2}') on $CORPUS (timeout ${TIMEOUT} s per run)"

TIME=()
[[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -f '%e %M' -o)
failed=0
runs=(a:2 b:2 c:1)
for run in "${runs[@]}"; do
  name="${run%%:*}" jobs="${run##*:}"
  start=$(date +%s.%N)
  status=0
  if [[ ${#TIME[@]} -gt 0 ]]; then
    timeout --kill-after=10 "$TIMEOUT" "${TIME[@]}" "$OUT/$name.time" \
      "$BIN" check "$CORPUS" -f json -j "$jobs" >"$OUT/$name.json" 2>"$OUT/$name.err" || status=$?
  else
    timeout --kill-after=10 "$TIMEOUT" \
      "$BIN" check "$CORPUS" -f json -j "$jobs" >"$OUT/$name.json" 2>"$OUT/$name.err" || status=$?
  fi
  end=$(date +%s.%N)
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
  rss=""
  if [[ -s "$OUT/$name.time" ]]; then
    # GNU time appends "Command exited with non-zero status N" before the figures.
    rss=$(tail -n 1 "$OUT/$name.time" | awk '{ printf ", peak RSS %.0f MB", $2 / 1024 }')
  fi
  echo "run $name: -j $jobs, exit $status, ${seconds} s$rss"
  case "$status" in
    0|1|2) ;;
    124|137) echo "FAIL run $name: timed out after ${TIMEOUT} s" >&2; failed=1 ;;
    *) echo "FAIL run $name: exit status $status (a crash or abort)" >&2; failed=1 ;;
  esac
  if grep -q -e "panicked" -e "overflowed its stack" -e "fatal runtime error" "$OUT/$name.err"; then
    echo "FAIL run $name: a panic on stderr:" >&2
    grep -m 5 -e "panicked" -e "overflowed" -e "fatal runtime" "$OUT/$name.err" >&2
    failed=1
  fi
done

for other in b c; do
  if ! cmp -s "$OUT/a.json" "$OUT/$other.json"; then
    echo "FAIL: the report of run $other differs from run a ($(cmp "$OUT/a.json" "$OUT/$other.json" 2>&1 | head -1))" >&2
    failed=1
  fi
  if ! cmp -s "$OUT/a.err" "$OUT/$other.err"; then
    echo "FAIL: the notes (stderr) of run $other differ from run a" >&2
    diff "$OUT/a.err" "$OUT/$other.err" | head -10 >&2 || true
    failed=1
  fi
done
[[ $failed -eq 0 ]] && echo "identical: the three reports are byte-for-byte the same ($(wc -c <"$OUT/a.json") bytes), and so are their notes"

python3 - "$OUT/a.json" "$OUT/a.err" <<'EOF' || failed=1
import collections, json, re, sys

try:
    report = json.load(open(sys.argv[1], encoding="utf-8"))
except ValueError as error:
    print(f"FAIL: the report is not JSON: {error}", file=sys.stderr)
    sys.exit(1)
stderr = open(sys.argv[2], encoding="utf-8", errors="replace").read().splitlines()

rules = collections.Counter()
severities = collections.Counter()
fatal = collections.Counter()
files_with_findings = 0
for file in report:
    found = False
    for m in file["messages"]:
        if m.get("ruleId") is None:
            text = m["message"]
            if text.startswith("Parsing error"):
                kind = "parse error"
            elif text.startswith("binary file"):
                kind = "binary (NUL bytes)"
            elif text.startswith("not valid UTF-8"):
                kind = "not UTF-8"
            elif text.startswith("cannot read the file"):
                kind = "unreadable"
            elif "internal error" in text:
                kind = "internal error (a caught panic)"
            else:
                kind = "other: " + text[:60]
            fatal[kind] += 1
        else:
            rules[m["ruleId"]] += 1
            severities["error" if m["severity"] == 2 else "warning"] += 1
            found = True
    files_with_findings += found

notes = collections.Counter()
io_errors = collections.Counter()
for line in stderr:
    if line.startswith("leaklint: note: "):
        reason = line.split(": ", 3)[-1]
        if "size limit" in reason:
            reason = "over the size limit"
        elif "levels deep" in reason:
            reason = "nesting too deep"
        elif "not a JavaScript" in reason:
            reason = "not JavaScript"
        notes[reason] += 1
    elif line.startswith("leaklint: error: "):
        io_errors[line.split(": ")[-1]] += 1

fatal_files = sum(1 for f in report if f.get("fatalErrorCount"))
print(f"files: {len(report)} linted or reported, {files_with_findings} with findings, "
      f"{fatal_files} not linted (fatal), {sum(notes.values())} skipped with a note")
print(f"findings: {sum(rules.values())} ({severities['error']} errors, {severities['warning']} warnings)")
for rule, n in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"  {rule:<20} {n}")
print("errors by kind:")
for kind in ["parse error", "binary (NUL bytes)", "not UTF-8", "unreadable"]:
    print(f"  {kind:<20} {fatal.get(kind, 0)}")
for kind, n in sorted(fatal.items()):
    if kind not in ("parse error", "binary (NUL bytes)", "not UTF-8", "unreadable"):
        print(f"  {kind:<20} {n}")
print(f"  skipped notes        {sum(notes.values())}")
for reason, n in sorted(notes.items()):
    print(f"    {reason:<30} {n}")
print(f"  I/O errors           {sum(io_errors.values())}")
for reason, n in sorted(io_errors.items()):
    print(f"    {reason:<30} {n}")
if fatal.get("internal error (a caught panic)"):
    print("FAIL: a rule panicked (caught as an internal error)", file=sys.stderr)
    sys.exit(1)
EOF

if [[ $failed -ne 0 ]]; then
  echo "sweep: FAILED" >&2
  exit 1
fi
echo "sweep: OK"
