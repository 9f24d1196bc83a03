#!/usr/bin/env python3
"""Stress for leaklint's long-running entry points (issue 6).

  scripts/stress.py [--bin target/release/leaklint] [--only lsp|verify]

(a) `leaklint lsp`: 1,000 didChange notifications sent at once, the intermediate texts
    half-typed (every one a prefix of a module, most of them do not parse), then a final
    valid leaky text. The last diagnostics published must be the final version's and equal
    to what `leaklint check --stdin` reports for that text; nothing may be published after
    them. The server's RSS (VmRSS) is read before the burst, after it, and after a second
    burst of 1,000: memory must stay flat (second burst within 20 % or 10 MB of the first).

(b) `leaklint verify`: 50 hostile modules in one run (-j 2, --timeout 3): infinite loops at
    load and in the called function, process.exit, file writes, child processes, 1 GB of
    output, throws, allocation until out of memory, intervals that never end, workers. Every
    module must get a verdict, nothing may be written, and no process may be left (a scan of
    /proc for command lines and working folders that mention the run's temporary folder).

Exits 1 when an assertion fails. Needs Linux (/proc) and, for (b), Node.js 20 or later.
"""

import argparse
import collections
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILURES = []


def check(condition, message):
    status = "ok  " if condition else "FAIL"
    print(f"  [{status}] {message}")
    if not condition:
        FAILURES.append(message)


def rss_kb(pid):
    """VmRSS of a live process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def mb(kib):
    return f"{kib / 1024:.1f} MB"


# ------------------------------------------------------------------------------------------
# (a) the language server
# ------------------------------------------------------------------------------------------

# A realistic module (about 18 KB) with leaks of every rule, typed from the first character.
MODULE_PART = """\
const {{ EventEmitter }} = require('events');
const cache{i} = new Map();
const bus{i} = new EventEmitter();

function handle{i}(req, res) {{
  const key = req.url + ':' + req.headers['x-user'];
  if (!cache{i}.has(key)) {{
    cache{i}.set(key, {{ body: req.body, at: Date.now() }});
  }}
  bus{i}.on('flush', () => res.end(JSON.stringify(cache{i}.get(key))));
  const timer = setInterval(() => bus{i}.emit('tick', key), 1000);
  lastRequest{i} = req;
  return require('./handlers/' + req.params.name)(req, res, timer);
}}

module.exports.handle{i} = handle{i};
"""


def module_text(variant, parts=40):
    return "".join(MODULE_PART.format(i=f"{variant}_{i}") for i in range(parts))


class LspClient:
    def __init__(self, binary, cwd):
        self.proc = subprocess.Popen(
            [binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(
            self.proc.stderr.read().decode("utf-8", "replace").splitlines()), daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send(self, message):
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def next(self, timeout):
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            return None
        if message and "method" in message and "id" in message:
            # A request from the server (client/registerCapability): accept it.
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        return message

    def wait_for(self, what, matches, timeout=60):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            message = self.next(deadline - time.monotonic())
            if message is None:
                break
            if matches(message):
                return message, seen
            seen.append(message)
        raise RuntimeError(f"no {what} within {timeout} s; stderr: {self.stderr[-5:]}")


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def change(uri, version, text):
    return frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})


def expected_diagnostics(binary, cwd, name, text):
    """What `leaklint check --stdin` reports for `text`, as LSP (rule, 0-based range) tuples."""
    run = subprocess.run(
        [binary, "check", "--stdin", "--stdin-filename", name, "-f", "json"], cwd=cwd,
        input=text.encode(), capture_output=True)
    report = json.loads(run.stdout)
    return sorted(
        (m["ruleId"], m["line"] - 1, m["column"] - 1, m["endLine"] - 1, m["endColumn"] - 1)
        for m in report[0]["messages"])


def published(message):
    return sorted(
        (d.get("code"), d["range"]["start"]["line"], d["range"]["start"]["character"],
         d["range"]["end"]["line"], d["range"]["end"]["character"])
        for d in message["params"]["diagnostics"])


def half_typed(text, count, seed):
    """`count` intermediate states of typing `text`: growing prefixes cut anywhere (mid-word,
    mid-string, inside a block), with an occasional stray bracket as an editor's autoclose."""
    states = []
    state = seed
    for k in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        cut = max(1, (k + 1) * len(text) // (count + 1) - (state >> 40) % 40)
        prefix = text[:cut]
        if k % 7 == 3:
            prefix += "({["[(state >> 20) % 3]
        states.append(prefix)
    return states


def stress_lsp(binary):
    print("== (a) leaklint lsp: 2 bursts of 1,000 didChange")
    work = Path(tempfile.mkdtemp(prefix="leaklint-stress-lsp."))
    try:
        path = work / "server.js"
        path.write_text("")
        uri = path.as_uri()
        client = LspClient(binary, work)
        client.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": work.as_uri(), "capabilities": {}}})
        client.wait_for("initialize response", lambda m: m.get("id") == 1)
        client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        first = module_text("a")
        client.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "javascript", "version": 1, "text": first}}})
        client.wait_for("the first diagnostics", lambda m: m.get("method") ==
                        "textDocument/publishDiagnostics" and m["params"].get("version") == 1)
        time.sleep(0.5)
        rss = {"before": rss_kb(client.proc.pid)}
        version = 1
        for burst, variant in ((1, "b"), (2, "c")):
            final = module_text(variant)
            states = half_typed(final, 1000, seed=burst)
            parse_errors = sum(1 for s in states[::50] if s.count("{") != s.count("}"))
            data = b"".join(change(uri, version + 1 + k, s) for k, s in enumerate(states))
            version += len(states) + 1
            data += change(uri, version, final)
            started = time.monotonic()
            client.proc.stdin.write(data)
            client.proc.stdin.flush()
            last, earlier = client.wait_for(
                f"diagnostics of version {version}",
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"].get("version") == version, timeout=120)
            settled = time.monotonic() - started
            publishes = [m for m in earlier if m.get("method") == "textDocument/publishDiagnostics"]
            after = []
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                message = client.next(deadline - time.monotonic())
                if message is not None:
                    after.append(message)
            time.sleep(0.5)
            rss[f"after burst {burst}"] = rss_kb(client.proc.pid)
            got = published(last)
            want = expected_diagnostics(binary, work, "server.js", final)
            print(f"  burst {burst}: {len(states)} half-typed texts ({len(data) / 1e6:.1f} MB of "
                  f"JSON-RPC; ~{parse_errors * 50} with unbalanced braces) + 1 final; "
                  f"last diagnostics after {settled:.2f} s; {len(publishes)} earlier publishes; "
                  f"{len(got)} diagnostics")
            check(got == want and len(want) > 0,
                  f"burst {burst}: the final version's diagnostics equal `check --stdin` ({len(want)})")
            check(all(m["params"].get("version", 0) < version for m in publishes),
                  f"burst {burst}: earlier publishes are of earlier versions only")
            check(not [m for m in after if m.get("method") == "textDocument/publishDiagnostics"],
                  f"burst {burst}: nothing is published after the final version's diagnostics")
        first_growth = rss["after burst 1"] - rss["before"]
        second_growth = rss["after burst 2"] - rss["after burst 1"]
        print("  RSS: " + ", ".join(f"{k} {mb(v)}" for k, v in rss.items()))
        check(rss["after burst 2"] <= rss["after burst 1"] * 1.2
              or second_growth <= 10 * 1024,
              f"memory is flat: the second burst added {mb(second_growth)} "
              f"(the first {mb(first_growth)})")
        client.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        client.wait_for("shutdown response", lambda m: m.get("id") == 2)
        client.send({"jsonrpc": "2.0", "method": "exit", "params": None})
        code = client.proc.wait(timeout=30)
        check(code == 0, f"the server exits 0 after shutdown (got {code})")
        time.sleep(0.1)
        check(not any("panicked" in line for line in client.stderr), "no panic on stderr")
        return rss
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# (b) the verifier
# ------------------------------------------------------------------------------------------

# Each module has an unbounded-cache finding (`cache.set` in an exported function), so the
# linter flags it and the verifier runs it; the hostility is at load or in the call. The
# interval and child-process modules have a second finding (uncleared-interval,
# per-call-require) in the call.
HOSTILE = {
    "loop-at-load": "for (;;) {}\n",
    "exit-at-load": "process.exit(3);\n",
    "write": "require('fs').writeFileSync(require('path').join(__dirname, 'written-{n}.txt'), 'x');\n",
    "child-process": "require('child_process').execFileSync('/bin/sh', ['-c', 'sleep 600 # {marker}']);\n",
    "huge-output": "const chunk = Buffer.alloc(1 << 20, 'x');\nfor (let i = 0; i < 1024; i++) require('fs').writeSync(1, chunk);\n",
    "throws": "throw new Error('refuses to load');\n",
    "loop-in-call": None,
    "oom-in-call": None,
    "endless-interval": "setInterval(() => {}, 5);\n",
    "worker": "new (require('worker_threads').Worker)('for (;;) {}', { eval: true });\n",
}

CALL = {
    "loop-in-call": "  for (;;) {}\n",
    "oom-in-call": "  const hog = [];\n  for (;;) hog.push(new Array(1e5).fill(key));\n",
    "endless-interval": "  setInterval(() => cache.get(key), 5);\n",
    "child-process": "  require('child_process').spawn('sleep', ['600']);\n",
}


VERIFIABLE = {"implicit-global", "unbounded-cache", "uncleared-interval", "repeated-listener",
              "per-call-require"}


def hostile_module(kind, n, marker):
    at_load = (HOSTILE[kind] or "").replace("{n}", str(n)).replace("{marker}", marker)
    in_call = CALL.get(kind, "")
    return (f"// hostile module {n}: {kind}\n'use strict';\nconst cache = new Map();\n"
            f"{at_load}"
            f"exports.put = function put(key) {{\n  cache.set(key, key);\n{in_call}}};\n")


def processes_mentioning(marker):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if marker in cmdline or marker in cwd:
            found.append(f"pid {entry}: {cmdline.strip()[:120]} (cwd {cwd})")
    return found


def mem_available_kb():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def stress_verify(binary):
    print("== (b) leaklint verify: 50 hostile modules, -j 2, --timeout 3")
    if shutil.which("node") is None:
        check(False, "node is on PATH (Node.js 20 or later)")
        return
    work = Path(tempfile.mkdtemp(prefix="leaklint-stress-verify."))
    marker = str(work)
    try:
        modules = work / "project"
        tmp = work / "tmp"
        modules.mkdir()
        tmp.mkdir()
        (modules / "package.json").write_text('{"name": "hostile", "private": true}\n')
        kinds = {}
        for n in range(50):
            kind = list(HOSTILE)[n % len(HOSTILE)]
            name = f"m{n:02}-{kind}.js"
            (modules / name).write_text(hostile_module(kind, n, marker))
            kinds[name] = kind
        env = dict(os.environ, TMPDIR=str(tmp))
        available_before = mem_available_kb()
        started = time.monotonic()
        proc = subprocess.Popen(
            [binary, "verify", str(modules), "-f", "json", "-j", "2", "--timeout", "3",
             "--iterations", "500"],
            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peak = [0]

        def sample():
            while proc.poll() is None:
                try:
                    peak[0] = max(peak[0], rss_kb(proc.pid))
                except OSError:
                    return
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            stdout, stderr = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            check(False, "leaklint verify finished within 600 s")
        wall = time.monotonic() - started
        sampler.join()
        left_now = processes_mentioning(marker)
        time.sleep(2)
        left_later = processes_mentioning(marker)
        available_after = mem_available_kb()
        stderr = stderr.decode("utf-8", "replace")

        report = json.loads(stdout) if stdout.strip() else []
        verdicts = {}
        unverified = []
        for file in report:
            name = Path(file["filePath"]).name
            for message in file["messages"]:
                if "verification" in message:
                    verdicts.setdefault(name, []).append(message["verification"])
                elif message.get("ruleId") in VERIFIABLE:
                    unverified.append(f"{name}:{message['line']} {message['ruleId']}")
        by_kind = collections.defaultdict(collections.Counter)
        totals = collections.Counter()
        for name, kind in kinds.items():
            for v in verdicts.get(name, []):
                reason = re.sub(r"\d+(\.\d+)?", "N", v.get("summary", ""))[:90]
                by_kind[kind][f"{v['verdict']}: {reason}"] += 1
                totals[v["verdict"]] += 1
        print(f"  exit status {proc.returncode}, wall time {wall:.1f} s, leaklint peak RSS "
              f"{mb(peak[0])}, MemAvailable {mb(available_before)} before, "
              f"{mb(available_after)} after")
        print(f"  closing note: {stderr.strip().splitlines()[-1] if stderr.strip() else '(none)'}")
        print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
        for kind in HOSTILE:
            for verdict, count in sorted(by_kind[kind].items()):
                print(f"    {kind:<17} {count} × {verdict}")
        missing = [name for name in kinds if not verdicts.get(name)]
        findings = sum(len(v) for v in verdicts.values()) + len(unverified)
        check(proc.returncode in (0, 1), f"leaklint verify exits 0 or 1 (got {proc.returncode})")
        check("panicked" not in stderr, "no panic on stderr")
        check(not missing, f"every module got a verdict ({50 - len(missing)}/50; "
              f"missing: {missing[:5]})")
        check(not unverified, f"every finding got a verdict ({findings - len(unverified)}/"
              f"{findings}; without: {unverified[:5]})")
        written = sorted(p.name for p in modules.glob("written-*"))
        check(not written, f"no module wrote a file ({len(written)} written)")
        leftovers = sorted(p.name for p in tmp.iterdir())
        check(not leftovers, f"no temporary folder left ({len(leftovers)})")
        print(f"  processes left: {len(left_now)} when leaklint exited, {len(left_later)} 2 s later")
        for line in left_later[:10]:
            print(f"    {line}")
        check(not left_now and not left_later, "no process left (0)")
        return {"wall": wall, "peak_kb": peak[0], "verdicts": dict(totals),
                "left": len(left_later)}
    finally:
        for line in processes_mentioning(marker):
            # Only processes of this run (they name its temporary folder): stop them.
            try:
                os.kill(int(line.split()[1].rstrip(":")), 9)
            except (OSError, ValueError):
                pass
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(ROOT / "target/release/leaklint"))
    parser.add_argument("--only", choices=["lsp", "verify"])
    args = parser.parse_args()
    binary = str(Path(args.bin).resolve())
    if not os.access(binary, os.X_OK):
        sys.exit(f"stress: no {binary}; build it with `cargo build --release` or pass --bin")
    started = time.monotonic()
    if args.only in (None, "lsp"):
        stress_lsp(binary)
    if args.only in (None, "verify"):
        stress_verify(binary)
    print(f"== {len(FAILURES)} failure(s), {time.monotonic() - started:.1f} s in all")
    for failure in FAILURES:
        print(f"  FAIL {failure}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
