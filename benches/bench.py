#!/usr/bin/env python3
"""leaklint's benchmark: the real-world corpus against leaklint's own parse floor, oxlint and
ESLint, plus the pre-commit (one file), editor (LSP re-lint) and scaling cases.

    python3 benches/bench.py [--runs N] [--eslint-runs N] [--skip-eslint] [--quick] [--baseline BIN]

Builds (or reuses) the corpus with ../shared/bench/build_corpus.sh into $LEAKLINT_BENCH_DIR/corpus
(default /tmp/leaklint-bench), installs oxlint and ESLint with npm into $LEAKLINT_BENCH_DIR/tools, builds leaklint and its parse-floor
binary in release mode, then measures every tool interleaved (tool A, tool B, …, then again), so
that a noisy neighbour hurts all of them alike. Figures are medians; ratios come from one run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Outside the repository: its .gitignore lists target/, and oxlint honours .gitignore files above
# the folder it lints, so a corpus under target/ would be skipped.
WORK = Path(os.environ.get("LEAKLINT_BENCH_DIR", "/tmp/leaklint-bench"))
CORPUS_SCRIPT = ROOT.parent / "shared" / "bench" / "build_corpus.sh"
OXLINT = "oxlint@1"
ESLINT = "eslint@9"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def corpus():
    out = WORK / "corpus"
    if not (out / "corpus").is_dir():
        if not CORPUS_SCRIPT.is_file():
            sys.exit(f"bench: {CORPUS_SCRIPT} is missing: it builds the corpus")
        sh(["bash", str(CORPUS_SCRIPT), str(out)])
    return out / "corpus"


def tools():
    tools = WORK / "tools"
    if not (tools / "node_modules" / ".bin" / "eslint").exists():
        tools.mkdir(parents=True, exist_ok=True)
        (tools / "package.json").write_text('{"name":"bench-tools","private":true}')
        sh(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(tools), OXLINT, ESLINT, "globals"])
    (tools / "eslint.config.mjs").write_text(
        "import globals from 'globals';\n"
        "export default [{ files: ['**/*.js', '**/*.cjs', '**/*.mjs'],\n"
        "  languageOptions: { sourceType: 'script', globals: { ...globals.node, ...globals.browser } },\n"
        "  rules: { 'no-undef': 'error', 'no-implicit-globals': 'error' } }];\n"
    )
    return tools


def build():
    sh(["cargo", "build", "--release", "--features", "bench", "--quiet"], cwd=ROOT)
    # Where cargo put them: CARGO_TARGET_DIR (relative to the working folder) if set.
    target = ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
    return target / "release" / "leaklint", target / "release" / "leaklint-floor"


def measure(cmd, cwd=None):
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one run."""
    with tempfile.NamedTemporaryFile("r") as stats:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", stats.name, "-f", "%U %S %M"] + cmd,
            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
        user, system, rss = stats.read().split()[-3:]
    return wall, float(user) + float(system), int(rss) / 1024


def interleaved(cases, runs):
    """cases: (name, command, runs of it[, working folder])."""
    results = {case[0]: [] for case in cases}
    for i in range(runs):
        for name, cmd, max_runs, *cwd in cases:
            if i < max_runs:
                results[name].append(measure(cmd, cwd[0] if cwd else None))
    return {
        name: tuple(statistics.median(r[k] for r in rs) for k in range(3))
        for name, rs in results.items() if rs
    }


def size_of(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def table(title, results, megabytes):
    print(f"\n## {title}\n")
    print("| tool | wall (median) | CPU | peak RSS | MB/s |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu, rss) in results.items():
        print(f"| {name} | {wall:.3f} s | {cpu:.2f} s | {rss:.0f} MB | {megabytes / wall:.1f} |")


def cache_runs(leaklint, corpus_dir, runs):
    """`--cache`: a cold run (no cache file) against a warm re-run of the unchanged corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        location = Path(tmp) / "cache"
        cold, warm = [], []
        for _ in range(runs):
            location.unlink(missing_ok=True)
            cmd = [str(leaklint), "check", str(corpus_dir), "-f", "compact", "--cache", "--cache-location", str(location)]
            cold.append(measure(cmd)[0])
            warm.append(measure(cmd)[0])
    cold, warm = statistics.median(cold), statistics.median(warm)
    print("\n## --cache\n\n| run | wall (median) |\n|---|---|")
    print(f"| cold (no cache file) | {cold:.3f} s |\n| warm (unchanged corpus) | {warm:.3f} s |")
    print(f"\nwarm / cold: {warm / cold:.2f}")


def single_file(leaklint, corpus_dir, oxlint, runs):
    files = sorted(corpus_dir.rglob("*.js"), key=lambda f: abs(f.stat().st_size - 20_000))
    target = files[0]
    cases = [
        ("leaklint, one file", [str(leaklint), "check", str(target), "-f", "compact"], runs),
        ("oxlint (no-undef), one file", [str(oxlint), "-A", "all", "-D", "no-undef", str(target)], runs),
    ]
    results = interleaved(cases, runs)
    print(f"\n## One file, process start included ({target.stat().st_size} bytes: {target.relative_to(corpus_dir)})\n")
    print("| tool | wall (median) | peak RSS |")
    print("|---|---|---|")
    for name, (wall, _, rss) in results.items():
        print(f"| {name} | {wall * 1000:.1f} ms | {rss:.0f} MB |")
    return results


def lsp_relint(leaklint, lines, edits):
    """Median time from a didChange of a `lines`-line file to its publishDiagnostics."""
    body = "\n".join(f"function f{i}(a) {{ total{i % 7} = a + {i}; return a; }}" for i in range(lines))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.js"
        path.write_text(body)
        uri = path.as_uri()
        proc = subprocess.Popen([str(leaklint), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

        def send(message):
            data = json.dumps(message).encode()
            proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            proc.stdin.flush()

        def receive():
            length = 0
            while True:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError("the server closed its output")
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            return json.loads(proc.stdout.read(length))

        def wait_for_diagnostics():
            while True:
                message = receive()
                if message.get("method") == "textDocument/publishDiagnostics":
                    return message

        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": Path(tmp).as_uri(), "capabilities": {}}})
        while receive().get("id") != 1:
            pass
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "javascript", "version": 1, "text": body}}})
        wait_for_diagnostics()
        times = []
        for version in range(2, edits + 2):
            text = body + f"\n// edit {version}\n"
            start = time.perf_counter()
            send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
            wait_for_diagnostics()
            times.append(time.perf_counter() - start)
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        send({"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=10)
    return statistics.median(times)


def scaling(leaklint, corpus_dir, runs):
    print("\n## Scaling\n")
    print("| input | wall (median) | peak RSS | ratio to the previous |")
    print("|---|---|---|---|")
    template = (ROOT / "fixtures" / "unbounded-cache" / "express-app.js").read_text()
    with tempfile.TemporaryDirectory() as tmp:
        previous = None
        for lines in (1_000, 10_000, 100_000):
            path = Path(tmp) / f"gen{lines}.js"
            block = template.replace("module.exports = app;", "")
            reps = max(1, lines // block.count("\n"))
            path.write_text("".join(block.replace("const ", "var ") for _ in range(reps)))
            wall, _, rss = interleaved([("f", [str(leaklint), "check", str(path), "-f", "compact"], runs)], runs)["f"]
            ratio = f"{wall / previous:.2f}x" if previous else ""
            print(f"| one file, {lines:,} lines | {wall * 1000:.1f} ms | {rss:.0f} MB | {ratio} |")
            previous = wall
        previous = None
        for copies in (1, 2, 4):
            root = Path(tmp) / f"corpus{copies}"
            root.mkdir()
            for i in range(copies):
                # leaklint follows symbolic links: each one is a full copy to lint.
                os.symlink(corpus_dir.resolve(), root / f"copy{i}")
            wall, _, rss = interleaved([("c", [str(leaklint), "check", str(root), "-f", "compact"], runs)], runs)["c"]
            ratio = f"{wall / previous:.2f}x" if previous else ""
            print(f"| corpus x{copies} | {wall:.2f} s | {rss:.0f} MB | {ratio} |")
            previous = wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--eslint-runs", type=int, default=2)
    parser.add_argument("--skip-eslint", action="store_true")
    parser.add_argument("--quick", action="store_true", help="fewer runs, no scaling")
    parser.add_argument("--baseline", help="another leaklint binary (an earlier build) to measure in the same run")
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus table")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs

    corpus_dir = corpus()
    tool_dir = tools()
    leaklint, floor = build()
    oxlint = tool_dir / "node_modules" / ".bin" / "oxlint"
    eslint = tool_dir / "node_modules" / ".bin" / "eslint"
    megabytes = size_of(corpus_dir) / 1e6
    files = sum(1 for _ in corpus_dir.rglob("*") if _.is_file())
    print(f"# leaklint benchmark\n\ncorpus: {files} files, {megabytes:.1f} MB; {os.cpu_count()} cores")

    cases = [
        ("leaklint, all rules", [str(leaklint), "check", str(corpus_dir), "-f", "compact"], runs),
        ("leaklint parse floor", [str(floor), str(corpus_dir)], runs),
        ("oxlint, no-undef only", [str(oxlint), "-A", "all", "-D", "no-undef", str(corpus_dir)], runs),
        ("oxlint, default rules", [str(oxlint), str(corpus_dir)], runs),
    ]
    if args.baseline:
        cases.insert(1, ("leaklint baseline, all rules", [args.baseline, "check", str(corpus_dir), "-f", "compact"], runs))
    if not args.skip_eslint:
        # ESLint's flat config ignores files outside its base folder (the working folder with
        # -c): run it from the corpus's parent with a relative path.
        cases.append(("ESLint, no-undef + no-implicit-globals (JS files)",
                      [str(eslint), "-c", str(tool_dir / "eslint.config.mjs"),
                       "-f", "json", "-o", os.devnull, corpus_dir.name], args.eslint_runs,
                      str(corpus_dir.parent)))
    results = interleaved(cases, runs)
    table("Corpus", results, megabytes)
    ll = results["leaklint, all rules"][0]
    print("\n| ratio | value |\n|---|---|")
    print(f"| leaklint / parse floor | {ll / results['leaklint parse floor'][0]:.2f} |")
    print(f"| leaklint / oxlint (no-undef) | {ll / results['oxlint, no-undef only'][0]:.2f} |")
    print(f"| leaklint / oxlint (default rules) | {ll / results['oxlint, default rules'][0]:.2f} |")
    if args.baseline:
        base = results["leaklint baseline, all rules"][0]
        print(f"| baseline / parse floor | {base / results['leaklint parse floor'][0]:.2f} |")
        print(f"| leaklint / baseline | {ll / base:.2f} |")
    eslint_key = next((k for k in results if k.startswith("ESLint")), None)
    if eslint_key:
        print(f"| ESLint / leaklint | {results[eslint_key][0] / ll:.1f} |")

    if args.corpus_only:
        return
    cache_runs(leaklint, corpus_dir, runs)
    single_file(leaklint, corpus_dir, oxlint, max(runs, 20))
    try:
        relint = lsp_relint(leaklint, 5_000, 20)
        print(f"\n## Editor: re-lint of a 5,000-line file in the LSP\n\nmedian didChange → publishDiagnostics: {relint * 1000:.1f} ms")
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        print(f"\n## Editor\n\nnot measured: {error}")

    if not args.quick:
        scaling(leaklint, corpus_dir, 3)


if __name__ == "__main__":
    main()
