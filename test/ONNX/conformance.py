#!/usr/bin/env python3
"""Runs ONNX's own backend node tests (Debian's libonnx-testdata) through
vggq-run and prints, per op, how many pass, how many the importer refuses
as unsupported, and how many give a wrong answer.

A test is selected when its model is a single node of one of the ops vggq
imports (the `_expanded` variants test other ops' function bodies). Each
test must end in one of two ways:
  - it passes within the backend tests' tolerance (rtol 1e-3, atol 1e-7);
  - vggq-run reports "unsupported: <why>" from the importer, and the test is
    listed in the expected-unsupported file with a part of that reason.
Anything else fails the run: a wrong answer, another error, an unsupported
test that is not listed (or listed with another reason), and a listed test
that passes (remove it from the list).

Only the standard library: the model's op type is read with a minimal
protobuf walk (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type
= 4).
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

OPS = ["Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Add",
       "Gemm", "Flatten", "Reshape", "Slice", "Pad", "BatchNormalization",
       "QuantizeLinear", "DequantizeLinear"]
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"


def varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of a protobuf message;
    length-delimited values are bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            size, pos = varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def op_types(model_path):
    with open(model_path, "rb") as f:
        model = f.read()
    types = []
    for number, wire, graph in fields(model):
        if number == 7 and wire == 2:
            for n, w, node in fields(graph):
                if n == 1 and w == 2:
                    for k, kw, v in fields(node):
                        if k == 4 and kw == 2:
                            types.append(v.decode())
    return types


def select(data):
    tests = []
    for name in sorted(os.listdir(data)):
        model = os.path.join(data, name, "model.onnx")
        if name.endswith("_expanded") or not os.path.isfile(model):
            continue
        types = op_types(model)
        if len(types) == 1 and types[0] in OPS:
            tests.append((name, types[0]))
    return tests


def read_expected(path):
    expected = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, reason = line.partition(":")
            if not sep or not reason.strip():
                sys.exit("%s:%d: expected 'test_name: reason'" % (path, lineno))
            expected[name.strip()] = reason.strip()
    return expected


def run_test(vggq_run, data, name, rtol, atol):
    """Returns (status, detail) with status pass, unsupported, wrong or
    error; all of the test's data sets must pass."""
    test_dir = os.path.join(data, name)
    sets = sorted(d for d in os.listdir(test_dir) if d.startswith("test_data_set_"))
    if not sets:
        return "error", "no test_data_set_*"
    for s in sets:
        set_dir = os.path.join(test_dir, s)
        def files(prefix):
            found = [f for f in os.listdir(set_dir) if re.match(prefix + r"_\d+\.pb$", f)]
            return [os.path.join(set_dir, f)
                    for f in sorted(found, key=lambda f: int(re.findall(r"\d+", f)[-1]))]
        cmd = [vggq_run, os.path.join(test_dir, "model.onnx")]
        for f in files("input"):
            cmd += ["--input", f]
        for f in files("output"):
            cmd += ["--output-compare", f]
        cmd += ["--rtol", str(rtol), "--atol", str(atol)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60)
        err = proc.stderr.strip()
        if proc.returncode == 3:
            m = re.search(r"unsupported: (.*)", err)
            reason = m.group(1) if m else err
            # Drop the model path: "<path>: node ...".
            prefix = os.path.join(test_dir, "model.onnx") + ": "
            return "unsupported", reason.replace(prefix, "")
        if proc.returncode == 2:
            return "wrong", (proc.stdout.strip() + " " + err).strip()
        if proc.returncode != 0:
            return "error", "exit %d: %s" % (proc.returncode, err[-500:])
    return "pass", ""


def percent(row):
    return "%.0f" % (100.0 * row["pass"] / row["tests"]) if row["tests"] else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vggq-run", default="vggq-run")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--expected", required=True,
                        help="the expected-unsupported file")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-7)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--write-expected", metavar="FILE",
                        help="write every refusal of this run to FILE in the "
                        "expected-unsupported format (to review and commit "
                        "after an importer change), and report no failures for "
                        "refusals")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every test's outcome")
    args = parser.parse_args()

    if not os.path.isdir(args.data):
        print("SKIPPED: ONNX's node tests are not installed at %s "
              "(Debian package libonnx-testdata)" % args.data)
        return 0
    expected = read_expected(args.expected)
    tests = select(args.data)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outcomes = list(pool.map(
            lambda t: run_test(args.vggq_run, args.data, t[0], args.rtol, args.atol),
            tests))

    if args.write_expected:
        with open(args.expected) as f:
            header = [l for l in f.read().splitlines() if l.startswith("#")]
        with open(args.write_expected, "w") as f:
            f.write("\n".join(header) + "\n")
            for (name, op), (status, detail) in zip(tests, outcomes):
                if status == "unsupported":
                    reason = re.sub(r"^node '[^']*' \(\w+\): ", "", detail)
                    f.write("%s: %s\n" % (name, reason.split(" (supported:")[0]))
        expected = read_expected(args.write_expected)

    failures = []
    table = {op: {"tests": 0, "pass": 0, "unsupported": 0, "wrong": 0, "failed": 0}
             for op in OPS}
    for (name, op), (status, detail) in zip(tests, outcomes):
        row = table[op]
        row["tests"] += 1
        listed = expected.get(name)
        if status == "pass":
            row["pass"] += 1
            if listed is not None:
                failures.append("%s: passes but is listed as unsupported (%s); "
                                "remove it from %s" % (name, listed, args.expected))
        elif status == "unsupported":
            if listed is None:
                row["failed"] += 1
                failures.append("%s: unexpectedly unsupported: %s" % (name, detail))
            elif listed not in detail:
                row["failed"] += 1
                failures.append("%s: unsupported for another reason than listed "
                                "('%s'): %s" % (name, listed, detail))
            else:
                row["unsupported"] += 1
        elif status == "wrong":
            row["wrong"] += 1
            failures.append("%s: WRONG ANSWER: %s" % (name, detail))
        else:
            row["failed"] += 1
            failures.append("%s: error: %s" % (name, detail))
        if args.verbose:
            print("%-55s %-18s %-11s %s" % (name, op, status, detail))
    for name in sorted(set(expected) - {t[0] for t in tests}):
        failures.append("%s: listed in %s but not a selected node test"
                        % (name, args.expected))

    print("ONNX node tests (%s), rtol %g atol %g" % (args.data, args.rtol, args.atol))
    print("| op | tests | passed | unsupported | wrong | failed | passed % |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    total = {k: 0 for k in ("tests", "pass", "unsupported", "wrong", "failed")}
    for op in OPS:
        row = table[op]
        for k in total:
            total[k] += row[k]
        print("| %s | %d | %d | %d | %d | %d | %s |" % (
            op, row["tests"], row["pass"], row["unsupported"], row["wrong"],
            row["failed"], percent(row)))
    print("| total | %d | %d | %d | %d | %d | %s |" % (
        total["tests"], total["pass"], total["unsupported"], total["wrong"],
        total["failed"], percent(total)))
    for f in failures:
        print("FAIL: " + f)
    print("%d tests: %d passed, %d unsupported (expected), %d wrong, %d failed"
          % (total["tests"], total["pass"], total["unsupported"], total["wrong"],
             len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
