#!/usr/bin/env python3
"""Prints the closing line 'N passed, N failed, N skipped' from lit's JSON.

    lit_summary.py RESULTS.json [RESULTS.json ...] [--label WORD]

With several files (the plain and the sanitized suite) it prints one line per
file and then their sum, so that the last line covers every test run.
"""
import json
import sys


def count(path):
    try:
        with open(path) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError) as e:
        print("vggq tests: no lit results in %s (%s)" % (path, e))
        return None
    passed = sum(t["code"] in ("PASS", "XFAIL") for t in tests)
    skipped = sum(t["code"] in ("UNSUPPORTED", "SKIPPED") for t in tests)
    failed = len(tests) - passed - skipped
    for t in tests:
        if t["code"] not in ("PASS", "XFAIL", "UNSUPPORTED", "SKIPPED"):
            print("  %s: %s (%s)" % (t["code"], t["name"], path))
    return passed, failed, skipped


args = sys.argv[1:]
label = "tests"
if "--label" in args:
    i = args.index("--label")
    label = args[i + 1]
    del args[i:i + 2]
totals = [0, 0, 0]
ok = bool(args)
for path in args:
    c = count(path)
    if c is None or sum(c) == 0:
        ok = False
        continue
    if len(args) > 1:
        print("  %s: %d passed, %d failed, %d skipped" % ((path,) + c))
    totals = [a + b for a, b in zip(totals, c)]
print("%s: %d passed, %d failed, %d skipped" % (label, totals[0], totals[1], totals[2]))
sys.exit(0 if ok and totals[1] == 0 else 1)
