"""Counts of what the trust tests tried, printed at the end of the run."""

from collections import Counter

TRIED: Counter = Counter()
# Counted apart from the fuzzed inputs: faults caused and pages walked.
NOT_FUZZ = ("worker kills", "packing kills", "leak walk")


def pytest_terminal_summary(terminalreporter):
    if TRIED:
        terminalreporter.write_sep("-", "trust: inputs tried")
        for name, n in sorted(TRIED.items()):
            terminalreporter.write_line(f"{name}: {n}")
        fuzzed = sum(n for name, n in TRIED.items() if not name.startswith(NOT_FUZZ))
        terminalreporter.write_line(f"total fuzzed inputs: {fuzzed}")
