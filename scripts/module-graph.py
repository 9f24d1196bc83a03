#!/usr/bin/env python3
"""The library's module graph: which top-level module of src/ uses which, read from the
`crate::…` paths in its code (`use crate::…` lines and inline `crate::x::y` paths, grouped
`use crate::{a, b}` included), and whether it has a cycle.

    python3 scripts/module-graph.py           # `module -> modules it imports`, then the verdict
    python3 scripts/module-graph.py --tests   # test code too (`#[cfg(test)]` items, src/testing.rs)

Comments (doc links included) are not code and are skipped. Without `--tests`, `#[cfg(test)]`
items are skipped too: unit tests run the whole pipeline (`lint_source`) from inside a stage,
which in a workspace of crates would be a dev-dependency, and cargo allows those to point back.
`crate::name` for an item `lib.rs` re-exports counts as the module it comes from. The binaries
(`src/main.rs`, `src/bin/`) use the library from outside and are listed apart. Exits 1 when the
graph has a cycle.
"""

import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def strip_comments(text):
    """The text without `//` and `/* */` comments, keeping string literals (and line breaks)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    if text[i] == "\n":
                        out.append("\n")
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
            out.extend("\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            out.extend("\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:]).group(0))
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_items(code):
    """The code without the items under `#[cfg(test)]` (a `mod tests { … }`, a `use`, a fn)."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", code):
        if m.start() < i:
            continue
        out.append(code[i : m.start()])
        # The item ends at its `;` or at the brace that closes its first `{`.
        j, depth = m.end(), 0
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif code[j] == ";" and depth == 0:
                j += 1
                break
            j += 1
        i = j
    out.append(code[i:])
    return "".join(out)


def top_module(path):
    """`src/rules/mod.rs` and `src/rules/helpers.rs` are `rules`; `src/lint.rs` is `lint`."""
    parts = path.relative_to(SRC).parts
    return parts[0][: -len(".rs")] if len(parts) == 1 else parts[0]


def used_paths(code):
    """The first segment after each `crate::` (the names a `crate::{a, b::c}` group opens)."""
    names = []
    for m in re.finditer(r"\bcrate\s*::\s*(\{|[A-Za-z_][A-Za-z0-9_]*)", code):
        if m.group(1) != "{":
            names.append(m.group(1))
            continue
        depth, j = 1, m.end()
        start = j
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        group, depth, item = code[start : j - 1], 0, ""
        for ch in group + ",":
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                head = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", item)
                if head:
                    names.append(head.group(1))
                item = ""
            else:
                item += ch
    return names


def root_reexports(lib):
    """`pub use lint::lint_source;` in lib.rs: `crate::lint_source` is module `lint`."""
    found = {}
    for m in re.finditer(r"pub\s+use\s+([a-z_][a-z0-9_]*)\s*::\s*(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", lib):
        module, items = m.group(1), m.group(2).strip("{}")
        for item in items.split(","):
            item = item.strip()
            if item:
                found[item.split(" as ")[-1].strip()] = module
    return found


def graph(with_tests):
    lib = strip_comments((SRC / "lib.rs").read_text())
    modules = sorted(set(re.findall(r"^\s*pub(?:\(crate\))?\s+mod\s+([a-z_][a-z0-9_]*)\s*;", lib, re.M)))
    test_only = set(re.findall(r"#\[cfg\(test\)\]\s*pub(?:\(crate\))?\s+mod\s+([a-z_][a-z0-9_]*)", lib))
    if not with_tests:
        modules = [m for m in modules if m not in test_only]
    reexports = root_reexports(lib)
    edges = {m: set() for m in modules}
    for path in sorted(SRC.rglob("*.rs")):
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("main.rs", "lib.rs", "bin"):
            continue
        module = top_module(path)
        if module not in edges:
            continue
        code = strip_comments(path.read_text())
        if not with_tests:
            code = strip_test_items(code)
        for name in used_paths(code):
            target = reexports.get(name, name)
            if target != module and target in edges:
                edges[module].add(target)
            elif target not in edges and target not in reexports and not with_tests and target in test_only:
                raise SystemExit(f"{relative}: non-test code uses the test-only module `{target}`")
    return edges


def binaries():
    uses = {}
    for path in [SRC / "main.rs", *sorted((SRC / "bin").glob("*.rs"))]:
        code = strip_comments(path.read_text())
        names = set(re.findall(r"\bleaklint\s*::\s*([a-z_][a-z0-9_]*)", code))
        for m in re.finditer(r"\bleaklint\s*::\s*\{([^}]*)\}", code):
            names |= set(re.findall(r"(?:^|,)\s*([a-z_][a-z0-9_]*)", m.group(1)))
        uses[str(path.relative_to(SRC.parent))] = sorted(names)
    return uses


def find_cycle(edges):
    """One cycle as a list of modules, or None (depth-first search, colours)."""
    colour, stack = {m: 0 for m in edges}, []

    def visit(m):
        colour[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if colour[n] == 1:
                return stack[stack.index(n) :] + [n]
            if colour[n] == 0:
                found = visit(n)
                if found:
                    return found
        colour[m] = 2
        stack.pop()
        return None

    for m in sorted(edges):
        if colour[m] == 0:
            found = visit(m)
            if found:
                return found
    return None


def main():
    with_tests = "--tests" in sys.argv[1:]
    edges = graph(with_tests)
    width = max(map(len, edges))
    for module in sorted(edges):
        print(f"{module:<{width}} -> {', '.join(sorted(edges[module])) or '(nothing)'}")
    print()
    for binary, names in binaries().items():
        print(f"{binary} (binary) uses leaklint::{{{', '.join(names)}}}")
    print()
    cycle = find_cycle(edges)
    what = "with test code" if with_tests else "without test code"
    if cycle:
        print(f"CYCLE ({what}): {' -> '.join(cycle)}")
        return 1
    print(f"no cycle ({what}): {len(edges)} modules, {sum(map(len, edges.values()))} edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
