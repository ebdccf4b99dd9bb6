"""The summary of `make test`: one line per suite (unit tests, the integration suite on each
server, the compile checks), the skipped and failed tests by name with their reason, and a last
line `N passed, N failed (N skipped)`. Exits non-zero when anything failed or a result file is
missing (a suite that crashed).

  summary.py LABEL=FILE ...            FILE: GoogleTest JSON or tests/integration/run.py JSON
  summary.py --record FILE NAME OUTCOME DETAIL
                                       writes a one-result file (a suite skipped or failed whole)
"""
import json
import sys


def gtest_records(data):
    records = []
    for suite in data.get("testsuites", []):
        for case in suite.get("testsuite", []):
            name = f"{suite.get('name')}.{case.get('name')}"
            if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                records.append({"name": name, "outcome": "skipped", "detail": ""})
            elif case.get("failures"):
                detail = "; ".join(f.get("failure", "") for f in case["failures"])
                records.append({"name": name, "outcome": "failed", "detail": detail})
            else:
                records.append({"name": name, "outcome": "passed", "detail": ""})
    return records


def read_records(path):
    with open(path) as f:
        data = json.load(f)
    return gtest_records(data) if isinstance(data, dict) else data


def first_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def write_record(path, name, outcome, detail):
    with open(path, "w") as f:
        json.dump([{"name": name, "outcome": outcome, "seconds": 0, "detail": detail}], f,
                  indent=1)


def main(args):
    if args and args[0] == "--record":
        write_record(*args[1:5])
        return 0
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    notes = []
    for arg in args:
        label, path = arg.split("=", 1)
        try:
            records = read_records(path)
        except (OSError, ValueError) as e:
            records = [{"name": "(suite)", "outcome": "failed",
                        "detail": f"no results ({path}: {e}); counted as one failure"}]
        counts = {o: sum(1 for r in records if r["outcome"] == o) for o in totals}
        for o in totals:
            totals[o] += counts[o]
        print(f"{label + ':':16} {counts['passed']} passed, {counts['failed']} failed, "
              f"{counts['skipped']} skipped")
        for r in records:
            if r["outcome"] != "passed":
                notes.append(f"  {r['outcome'].upper():8} {label}: {r['name']}: "
                             f"{first_line(r.get('detail'))}")
    for note in notes:
        print(note)
    suffix = f" ({totals['skipped']} skipped)" if totals["skipped"] else ""
    print(f"{totals['passed']} passed, {totals['failed']} failed{suffix}")
    return 1 if totals["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
