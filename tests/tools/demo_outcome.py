"""What `make demo` promised to show, checked: each expectation that did not hold is printed where
it failed and again at the end, and makes the demo exit 1 (CI runs it in `make test`)."""


class Outcome:
    def __init__(self, show):
        self.show = show
        self.failures = []

    def expect(self, value, failure):
        """value, unchanged; when it is false, `failure` says what did not happen."""
        if not value:
            self.failures.append(failure)
            self.show.say(f"NOT AS EXPECTED: {failure}")
        return value

    def finish(self, summary, seconds):
        """Prints the last line and gives the exit code."""
        print()
        if self.failures:
            print(f"RESULT: FAILED after {seconds:.0f} s: {len(self.failures)} thing(s) did not "
                  "happen as the demo says:")
            for failure in self.failures:
                self.show.say(f"- {failure}", 2)
            print(f"RESULT: FAILED ({summary or 'nothing shown'})")
            return 1
        print(f"RESULT: PASS in {seconds:.0f} s: {summary}")
        return 0
