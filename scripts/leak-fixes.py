#!/usr/bin/env python3
"""Score leaklint on real memory-leak fixes taken from public git histories.

Reads data/leak-fixes.json (an array of {repo, fix_commit, parent, file, line,
rule, kind, note}). For each entry it extracts the parent (leaking) and fix
versions of the file from a local mirror of the repository, runs
`leaklint check --format json` on each, and records:

  hit           leaklint reports the expected rule within +-2 lines of `line`
                in the parent version
  other-rule    a different rule fires within +-2 lines of `line` instead
  silent_after  the fixed version has no finding of that rule at the
                corresponding site (the line mapped through `git diff -U0`;
                when the line itself was changed or deleted, the replacement
                hunk +-2 lines)

Mirrors: $LEAKLINT_MIRRORS (default /work/.mirror) holds one folder per
repository, named owner+name, with a (bare) git directory somewhere inside.
A repository without a mirror is reported as "missing mirror" and counted as
not run; nothing is fetched.

This is a measurement, not a test: it always exits 0.

Usage: scripts/leak-fixes.py [--bin PATH] [--data FILE] [--json] [--verbose]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "data", "leak-fixes.json")
DEFAULT_BIN = os.path.join(ROOT, "target", "release", "leaklint")
DEFAULT_MIRRORS = "/work/.mirror"
WINDOW = 2
# Rules that say something about suppression comments, not about the code.
META_RULES = {"unused-ignore", "unknown-rule"}
TIMEOUT = 120


def is_git_dir(path):
    return (
        os.path.isfile(os.path.join(path, "HEAD"))
        and os.path.isdir(os.path.join(path, "objects"))
        and os.path.isdir(os.path.join(path, "refs"))
    )


def find_git_dir(mirrors, repo):
    """The git directory of `repo` ("owner/name") under the mirror root, or None."""
    base = os.path.join(mirrors, repo.replace("/", "+"))
    if not os.path.isdir(base):
        return None
    candidates = [base, os.path.join(base, ".git")]
    # Search a few levels down (e.g. owner+name/repo, owner+name/x/y.git).
    for dirpath, dirnames, _ in os.walk(base):
        depth = dirpath[len(base):].count(os.sep)
        if depth >= 3:
            dirnames[:] = []
            continue
        dirnames.sort()
        for d in dirnames:
            if d in ("objects", "refs", "hooks", "info", "logs"):
                continue
            candidates.append(os.path.join(dirpath, d))
    for c in candidates:
        if is_git_dir(c):
            return c
    return None


def git(gitdir, *args, check=True):
    res = subprocess.run(
        ["git", "--git-dir", gitdir] + list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if check and res.returncode != 0:
        return None
    return res.stdout


def fix_path(gitdir, parent, fix, path):
    """The path of `path` in the fix commit, following a rename; None if deleted."""
    if git(gitdir, "cat-file", "-e", "%s:%s" % (fix, path)) is not None:
        return path
    out = git(gitdir, "diff", "--name-status", "-M", parent, fix)
    if out:
        for line in out.decode("utf-8", "replace").splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0].startswith("R") and parts[1] == path:
                return parts[2]
    return None


HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_hunks(diff_text):
    hunks = []
    for line in diff_text.splitlines():
        m = HUNK.match(line)
        if m:
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) is not None else 1
            c = int(m.group(3))
            d = int(m.group(4)) if m.group(4) is not None else 1
            hunks.append((a, b, c, d))
    return hunks


def map_line(hunks, line):
    """Map a 1-based line of the old file into the new one.

    Returns (lo, hi, changed): the window of new lines to look at (before the
    +-WINDOW margin) and whether the line itself was changed or deleted."""
    offset = 0
    for a, b, c, d in hunks:
        if b == 0:
            # pure insertion after old line a
            if a < line:
                offset += d
            continue
        if a + b - 1 < line:
            offset += d - b
            continue
        if a <= line <= a + b - 1:
            if d == 0:
                return c, c + 1, True  # deleted: between new lines c and c+1
            return c, c + d - 1, True
        break
    return line + offset, line + offset, False


def run_leaklint(binary, path, extra):
    cmd = [binary, "check", "--format", "json"] + extra + [path]
    try:
        res = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return None, "timeout"
    except OSError as e:
        return None, "cannot run %s: %s" % (binary, e)
    try:
        data = json.loads(res.stdout.decode("utf-8", "replace") or "[]")
    except ValueError:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "bad output (status %d): %s" % (res.returncode, err[-1] if err else "")
    messages = []
    fatal = None
    for f in data:
        for m in f.get("messages", []):
            if m.get("ruleId") is None:
                fatal = m.get("message", "fatal")
            else:
                messages.append(m)
    if fatal and not messages:
        return None, "parse error: %s" % fatal.splitlines()[0][:120]
    return messages, None


def config_args(binary, tmp):
    """Flags that keep the caller's leaklint.toml out of the measurement."""
    try:
        help_text = subprocess.run(
            [binary, "check", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        ).stdout.decode("utf-8", "replace")
    except OSError:
        return []
    if "--no-config" in help_text:
        return ["--no-config"]
    if "--config" in help_text:
        empty = os.path.join(tmp, "empty-leaklint.toml")
        with open(empty, "w") as f:
            f.write("# empty: defaults only\n")
        return ["--config", empty]
    return []


def near(messages, lo, hi):
    return [m for m in messages if lo - WINDOW <= m.get("line", 0) <= hi + WINDOW]


def evaluate(entry, idx, mirrors, binary, extra, tmp):
    r = OrderedDict()
    r["repo"] = entry["repo"]
    r["fix_commit"] = entry["fix_commit"]
    r["file"] = entry["file"]
    r["line"] = entry["line"]
    r["rule"] = entry["rule"]
    r["kind"] = entry["kind"]
    r["run"] = False
    r["status"] = None
    r["hit"] = False
    r["other_rules"] = []
    r["silent_after"] = None
    r["parent_findings"] = []
    r["after_findings"] = []
    gitdir = find_git_dir(mirrors, entry["repo"])
    if gitdir is None:
        r["status"] = "missing mirror"
        return r
    parent, fix, path = entry["parent"], entry["fix_commit"], entry["file"]
    old = git(gitdir, "show", "%s:%s" % (parent, path))
    if old is None:
        r["status"] = "missing parent version (commit or path not in mirror)"
        return r
    new_path = fix_path(gitdir, parent, fix, path)
    new = git(gitdir, "show", "%s:%s" % (fix, new_path)) if new_path else None
    if git(gitdir, "cat-file", "-e", fix + "^{commit}") is None:
        r["status"] = "missing fix commit"
        return r

    def lint_version(side, name, content):
        """Writes one version of the file under its own name and lints it."""
        folder = os.path.join(tmp, str(idx), side)
        os.makedirs(folder)
        target = os.path.join(folder, os.path.basename(name))
        with open(target, "wb") as f:
            f.write(content)
        return run_leaklint(binary, target, extra)

    msgs, err = lint_version("parent", path, old)
    if msgs is None:
        r["status"] = err
        return r
    r["run"] = True
    line = entry["line"]
    around = near(msgs, line, line)
    r["parent_findings"] = [(m["ruleId"], m["line"]) for m in around]
    r["hit"] = any(m["ruleId"] == entry["rule"] for m in around)
    r["other_rules"] = sorted(
        {m["ruleId"] for m in around if m["ruleId"] != entry["rule"] and m["ruleId"] not in META_RULES}
    )

    if new is None:
        r["silent_after"] = True
        r["after_note"] = "file removed in the fix"
        return r
    fmsgs, ferr = lint_version("fix", new_path, new)
    if fmsgs is None:
        r["after_note"] = ferr
        return r
    diff = git(gitdir, "diff", "-U0", "--no-color", "%s:%s" % (parent, path), "%s:%s" % (fix, new_path))
    hunks = parse_hunks(diff.decode("utf-8", "replace")) if diff else []
    lo, hi, changed = map_line(hunks, line)
    r["mapped"] = [lo, hi, changed]
    after = near(fmsgs, lo, hi)
    r["after_findings"] = [(m["ruleId"], m["line"]) for m in after]
    r["silent_after"] = not any(m["ruleId"] == entry["rule"] for m in after)
    return r


def pct(a, b):
    return "%5.1f%%" % (100.0 * a / b) if b else "    -"


def summarize(results, key):
    groups = OrderedDict()
    for r in sorted(results, key=lambda r: r[key]):
        groups.setdefault(r[key], []).append(r)
    rows = []
    for k, rs in groups.items():
        run = [r for r in rs if r["run"]]
        hits = [r for r in run if r["hit"]]
        rows.append(
            OrderedDict(
                [
                    (key, k),
                    ("total", len(rs)),
                    ("run", len(run)),
                    ("hit", len(hits)),
                    ("recall", (100.0 * len(hits) / len(run)) if run else None),
                    ("other_rule", sum(1 for r in run if not r["hit"] and r["other_rules"])),
                    ("silent_after", sum(1 for r in run if r["silent_after"])),
                    ("hit_and_silent_after", sum(1 for r in hits if r["silent_after"])),
                ]
            )
        )
    return rows


def print_table(title, key, rows, results):
    width = max([len(key)] + [len(str(r[key])) for r in rows]) + 1
    print(title)
    head = "%-*s %5s %4s %4s %7s %6s %7s %9s" % (
        width, key, "total", "run", "hit", "recall", "other", "silent", "hit+silent")
    print(head)
    print("-" * len(head))
    for r in rows:
        print("%-*s %5d %4d %4d %7s %6d %7d %9d" % (
            width, r[key], r["total"], r["run"], r["hit"],
            pct(r["hit"], r["run"]), r["other_rule"], r["silent_after"], r["hit_and_silent_after"]))
    run = [r for r in results if r["run"]]
    hits = [r for r in run if r["hit"]]
    print("%-*s %5d %4d %4d %7s %6d %7d %9d" % (
        width, "ALL", len(results), len(run), len(hits), pct(len(hits), len(run)),
        sum(1 for r in run if not r["hit"] and r["other_rules"]),
        sum(1 for r in run if r["silent_after"]),
        sum(1 for r in hits if r["silent_after"])))
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=DEFAULT_BIN, help="leaklint binary (default: target/release/leaklint)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="the fixes file (default: data/leak-fixes.json)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--verbose", action="store_true", help="print every entry")
    args = ap.parse_args()

    mirrors = os.environ.get("LEAKLINT_MIRRORS", DEFAULT_MIRRORS)
    try:
        with open(args.data) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        print("cannot read %s: %s" % (args.data, e))
        return 0
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print("leaklint binary not found or not executable: %s" % binary)

    tmp = tempfile.mkdtemp(prefix="leak-fixes-")
    try:
        extra = config_args(binary, tmp)
        results = []
        for i, e in enumerate(entries):
            r = evaluate(e, i, mirrors, binary, extra, tmp)
            results.append(r)
            if args.verbose and not args.json:
                state = ("HIT " if r["hit"] else "miss") if r["run"] else "----"
                print("%s %-28s %s %s:%d %s/%s%s%s" % (
                    state, r["repo"], r["fix_commit"][:8], r["file"], r["line"], r["rule"], r["kind"],
                    "" if r["run"] else "  [%s]" % r["status"],
                    ("  other=%s" % ",".join(r["other_rules"])) if r["other_rules"] else ""))
                if r["run"]:
                    print("     parent near line: %s" % (r["parent_findings"] or "none"))
                    print("     after  near site: %s  silent_after=%s%s" % (
                        r["after_findings"] or "none", r["silent_after"],
                        ("  (%s)" % r["after_note"]) if r.get("after_note") else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    by_rule = summarize(results, "rule")
    by_kind = summarize(results, "kind")
    misses = [r for r in results if r["run"] and not r["hit"]]
    not_run = [r for r in results if not r["run"]]

    if args.json:
        json.dump(
            OrderedDict([
                ("binary", binary),
                ("entries", results),
                ("by_rule", by_rule),
                ("by_kind", by_kind),
                ("not_run", len(not_run)),
            ]),
            sys.stdout,
            indent=2,
        )
        print()
        return 0

    if args.verbose:
        print()
    print("leaklint %s on %d leak fixes (%d repositories), window +-%d lines\n" % (
        binary, len(results), len({r["repo"] for r in results}), WINDOW))
    print_table("By rule", "rule", by_rule, results)
    print_table("By kind", "kind", by_kind, results)
    print("recall = hit / run; other = a different rule fired at the site instead;")
    print("silent = fixed version has no finding of the rule at the mapped site\n")
    print("Misses (%d):" % len(misses))
    for r in misses:
        print("  %-28s %s %s:%d  %s  (%s)%s" % (
            r["repo"], r["fix_commit"][:8], r["file"], r["line"], r["kind"], r["rule"],
            ("  other-rule hit: %s" % ",".join(r["other_rules"])) if r["other_rules"] else ""))
    if not_run:
        print("\nNot run (%d):" % len(not_run))
        for r in not_run:
            print("  %-28s %s %s:%d  %s" % (r["repo"], r["fix_commit"][:8], r["file"], r["line"], r["status"]))
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        # output cut short (e.g. piped into head): not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
    sys.exit(0)
