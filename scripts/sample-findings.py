#!/usr/bin/env python3
"""Print a deterministic sample of leaklint findings with source context, for review.

    leaklint check CORPUS -f json > report.json
    scripts/sample-findings.py report.json RULE [N] [SEED]
"""
import json
import random
import sys

report, rule = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 20
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
findings = [
    (f["filePath"], m)
    for f in json.load(open(report))
    for m in f["messages"]
    if m["ruleId"] == rule
]
random.Random(seed).shuffle(findings)
print(f"{rule}: {len(findings)} findings, showing {min(count, len(findings))}")
for i, (path, m) in enumerate(sorted(findings[:count], key=lambda x: (x[0], x[1]["line"]))):
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    line = m["line"]
    print(f"\n#{i + 1} {path.split('/corpus/')[-1]}:{line}:{m['column']}  {m['message'][:160]}")
    for r in m.get("relatedLocations", [])[:1]:
        print(f"   related {r['line']}: {lines[r['line'] - 1].strip()[:140]}")
    for n in range(max(1, line - 3), min(len(lines), line + 2) + 1):
        print(f"   {'>' if n == line else ' '}{n:5} {lines[n - 1][:150]}")
