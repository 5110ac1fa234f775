"""Calls made at the same moment from several threads (PostgreSQL tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*calls: Callable[[], object], timeout: float = 30) -> list:
    """Run each call in its own thread (so on its own database connection), all
    released together; returns each call's result, or the exception it raised,
    in the order given."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except BaseException as exc:  # the caller's assertions look at it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish in time"
    return outcomes


def raised(outcomes: list) -> list[BaseException]:
    """The exceptions among ``at_once``'s outcomes."""
    return [o for o in outcomes if isinstance(o, BaseException)]
