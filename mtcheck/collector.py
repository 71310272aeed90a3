"""The cyclic garbage collector paused around work that builds many acyclic objects.

The stages after the rules (rewrites, the changes of `fix`, the stored result, the JSON report,
the diff) build hundreds of thousands of small records, dicts and lists on a long story, none
of which refers back to itself; the temporaries among them live until the stage ends. With the
collector running, each young collection walked every one still alive, and the older
generation walked them again: a tenth of what `fix` adds to the rules on 200,000 short lines.
Paused, reference counting frees the temporaries, and what survives is walked once, on the
first collection after the pause. ``Document.from_text`` and each rule family
(``mtcheck.rules.base``) take the same pause; a collector already paused by the caller stays paused.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)


@contextmanager
def paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def pausing(func: F) -> F:
    """``func`` run with the collector paused."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with paused():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
