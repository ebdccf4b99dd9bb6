"""Runs the integration tests and writes one JSON result per test (for tests/tools/summary.py).

Usage: [SEMGUARD_SERVER=debian|apr16] python3 tests/integration/run.py [--json FILE] [-k SUBSTRING]
"""
import argparse
import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# Which server the suite runs on (tests/tools/servers.py); each result's name starts with it.
SERVER = os.environ.get("SEMGUARD_SERVER", "debian")


class RecordingResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self._started = 0.0

    def startTest(self, test):
        self._started = time.time()
        super().startTest(test)

    def _record(self, test, outcome, detail=""):
        self.records.append({"name": f"{SERVER}: {test.id()}", "outcome": outcome, "seconds": round(time.time() - self._started, 2),
                             "detail": detail})

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    parser.add_argument("-k", dest="pattern")
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if args.pattern:
        def flatten(s):
            for t in s:
                yield from (flatten(t) if isinstance(t, unittest.TestSuite) else [t])
        suite = unittest.TestSuite(t for t in flatten(suite) if args.pattern in t.id())
    runner = unittest.TextTestRunner(verbosity=2, resultclass=RecordingResult, stream=sys.stdout)
    result = runner.run(suite)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result.records, f, indent=1)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
