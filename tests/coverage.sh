#!/bin/sh
# make coverage's report: from gcovr's JSON summary, the line and branch
# coverage of each lib/ file (the least covered first) and of lib/ as a
# whole; exit 1 when lib/'s line coverage is below the floor.
# Usage: tests/coverage.sh coverage.json FLOOR   (python3 comes with gcovr)
set -eu
exec python3 - "$1" "$2" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
floor = float(sys.argv[2])
def pct(c, t):
    return 100.0 * c / t if t else 100.0
rows = sorted(data["files"], key=lambda f: pct(f["line_covered"], f["line_total"]))
print("%-22s %15s %8s %15s %8s" % ("lib/ file", "lines", "", "branches", ""))
for f in rows:
    name = f["filename"].split("lib/", 1)[-1]
    print("%-22s %7d/%-7d %6.1f %% %7d/%-7d %6.1f %%" % (
        name, f["line_covered"], f["line_total"], pct(f["line_covered"], f["line_total"]),
        f["branch_covered"], f["branch_total"], pct(f["branch_covered"], f["branch_total"])))
lines = pct(data["line_covered"], data["line_total"])
branches = pct(data["branch_covered"], data["branch_total"])
print("%-22s %7d/%-7d %6.1f %% %7d/%-7d %6.1f %%" % (
    "lib/ (all)", data["line_covered"], data["line_total"], lines,
    data["branch_covered"], data["branch_total"], branches))
if data["line_total"] == 0:
    print("FAIL: gcovr found no line of lib/ (no .gcda files: did make check run?)")
    sys.exit(1)
if lines < floor:
    print("FAIL: lib/ line coverage %.1f %% is below the floor of %.0f %%" % (lines, floor))
    sys.exit(1)
print("ok: lib/ line coverage %.1f %% (floor %.0f %%), branch coverage %.1f %%" % (
    lines, floor, branches))
PY
