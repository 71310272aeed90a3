"""The cyclic garbage collector paused around work that builds many acyclic objects.

The stages after the rules (rewrites, the changes of `fix`, the stored result, the JSON report,
the diff) build hundreds of thousands of small records, dicts and lists on a long story, none
of which refers back to itself; the temporaries among them live until the stage ends. With the
collector running, each young collection walked every one still alive, and the older
generation walked them again: a tenth of what `fix` adds to the rules on 200,000 short lines.
Paused, reference counting frees the temporaries. What survives (the document, its findings,
the fixed story) is frozen as the outermost pause ends (``gc.freeze``): no later collection
walks it, not even the one at interpreter exit, which walked it once more. Walking each
stage's survivors once, then everything at exit, was 0.4-0.6 s of `fix` on 200,000 short lines.
Frozen objects are still freed by reference counting; only cyclic garbage among them waits, so
``next_batch`` hands what earlier batches froze back to the collector (``gc.unfreeze``: into
its oldest generation, which only the rare full collections walk) and a long run holds at
most about one batch of documents frozen. ``Document.from_text`` and each rule family
(``mtcheck.rules.base``) take the same pause; a collector already paused by the caller stays paused.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)

# Pauses after which one hands everything frozen back to the collector: a process that pauses
# without ever starting a batch (the review server's exports and fixes) would otherwise keep
# the cyclic garbage of every request frozen. Counted, not measured: gc.get_freeze_count()
# walks the frozen list, and a pause per rule family would make that quadratic.
PAUSES_PER_THAW = 1000
_pauses = 0  # outermost pauses since the last hand-back


@contextmanager
def paused() -> Iterator[None]:
    global _pauses
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            _pauses += 1
            if _pauses > PAUSES_PER_THAW:
                _pauses = 0
                gc.unfreeze()  # a process that runs no batches (review's server): bound what waits
            else:
                gc.freeze()  # what the paused work left alive (O(1): the generations' lists are spliced)
            gc.enable()


_batches = 0  # batches of documents begun in this process


def next_batch() -> None:
    """Called as a batch of documents starts (``Pipeline.run``): from the second batch on,
    what earlier ones froze goes back to the collector, so cycles among it can be freed. The
    first batch keeps start-up's freeze (``mtcheck.tune_collector``) and a one-batch run
    freezes to its end."""
    global _batches, _pauses
    if _batches:
        gc.unfreeze()
        _pauses = 0
    _batches += 1


def pausing(func: F) -> F:
    """``func`` run with the collector paused."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with paused():
            return func(*args, **kwargs)

    return run  # type: ignore[return-value]
