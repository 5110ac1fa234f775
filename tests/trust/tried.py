"""Counts of what the trust tests tried, printed at the end of the run
(tests/conftest.py adds up the workers' counts under pytest-xdist)."""

from collections import Counter

TRIED: Counter = Counter()
# Counted apart from the fuzzed inputs: faults caused and pages walked.
NOT_FUZZ = ("worker kills", "packing kills", "leak walk")
