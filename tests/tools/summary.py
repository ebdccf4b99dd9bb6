"""Prints the one summary line of `make test`, `N passed, N failed`, from the result files of the
unit tests (GoogleTest JSON) and the integration tests (tests/integration/run.py JSON).
Exits non-zero when anything failed or a result file is missing (a suite that crashed)."""
import json
import sys


def gtest_counts(path):
    with open(path) as f:
        data = json.load(f)
    passed = failed = skipped = 0
    for suite in data.get("testsuites", []):
        for case in suite.get("testsuite", []):
            if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                skipped += 1
            elif case.get("failures"):
                failed += 1
            else:
                passed += 1
    return passed, failed, skipped


def integration_counts(path):
    with open(path) as f:
        records = json.load(f)
    count = lambda o: sum(1 for r in records if r["outcome"] == o)  # noqa: E731
    return count("passed"), count("failed"), count("skipped")


def main():
    unit_json, integration_json = sys.argv[1], sys.argv[2]
    totals = [0, 0, 0]
    missing = []
    for path, reader in ((unit_json, gtest_counts), (integration_json, integration_counts)):
        try:
            for i, n in enumerate(reader(path)):
                totals[i] += n
        except (OSError, ValueError) as e:
            missing.append(f"{path}: {e}")
    for m in missing:
        print(f"no results from a suite ({m}); counted as one failure", file=sys.stderr)
    passed, failed, skipped = totals[0], totals[1] + len(missing), totals[2]
    suffix = f" ({skipped} skipped)" if skipped else ""
    print(f"{passed} passed, {failed} failed{suffix}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
