"""Counts of what the trust tests tried, printed at the end of the run."""

from collections import Counter

TRIED: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if TRIED:
        terminalreporter.write_sep("-", "trust: inputs tried")
        for name, n in sorted(TRIED.items()):
            terminalreporter.write_line(f"{name}: {n}")
        terminalreporter.write_line(f"total fuzzed inputs: {sum(TRIED.values())}")
