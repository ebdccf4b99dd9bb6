"""How `make demo` prints: numbered steps, plain sentences, and the few lines of httpd's ErrorLog
and of semguardctl that prove each point. Only presentation lives here; tests/tools/demo.py
decides what to show and checks it."""
import re
import textwrap

WIDTH = 100
# An ErrorLog line without its time and pid: what is left is the module's tag and the message.
LOG_LINE = re.compile(r"^\[[^\]]+\] (\[[^\]]*\]) \[pid [^\]]+\] (?:\[client [^\]]+\] )?(.*)$")


class Show:
    def __init__(self):
        self.names = {}  # long paths printed by a short name, to keep lines short

    def name(self, path, short, indent=3):
        """From now on `path` prints as `short`; says so once."""
        self.say(f"{short} = {self.short(path)}", indent)
        self.names[path] = short

    def short(self, text):
        for path in sorted(self.names, key=len, reverse=True):
            text = text.replace(path, self.names[path])
        return text

    def step(self, number, text):
        print(f"\n{number}. {text}", flush=True)

    def say(self, text, indent=3):
        pad = " " * indent
        print(textwrap.fill(self.short(text), WIDTH, initial_indent=pad, subsequent_indent=pad),
              flush=True)

    def lines(self, lines, indent=6):
        for line in lines:
            print(" " * indent + self.short(line.rstrip()), flush=True)

    def log_lines(self, lines, indent=6):
        self.lines([log_line(line) for line in lines], indent)


def log_line(line):
    """`[semguard:notice] SG00015: removed ...`: the level and the message of an ErrorLog line."""
    m = LOG_LINE.match(line)
    return f"{m.group(1)} {m.group(2)}" if m else line


def tagged(log, *tags):
    """The ErrorLog lines that carry one of the tags (AH00023, SG00015, ...)."""
    return [line for line in log.splitlines() if any(re.search(rf"\b{t}\b", line) for t in tags)]
