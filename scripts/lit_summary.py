#!/usr/bin/env python3
"""Prints one closing line 'N passed, N failed, N skipped' from lit's JSON."""
import json
import sys

try:
    with open(sys.argv[1]) as f:
        tests = json.load(f)["tests"]
except (OSError, ValueError, KeyError) as e:
    print("vggq tests: no lit results (%s)" % e)
    sys.exit(1)
passed = sum(t["code"] in ("PASS", "XFAIL") for t in tests)
skipped = sum(t["code"] in ("UNSUPPORTED", "SKIPPED") for t in tests)
failed = len(tests) - passed - skipped
for t in tests:
    if t["code"] not in ("PASS", "XFAIL", "UNSUPPORTED", "SKIPPED"):
        print("  %s: %s" % (t["code"], t["name"]))
print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed or not tests else 0)
