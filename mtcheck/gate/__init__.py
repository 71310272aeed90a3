"""The import gate: decide per story (accepted / review / rejected) and move it there safely.

``policy`` turns a scanned story into a verdict with reasons; ``journal`` and ``mover`` make
the move crash-safe; ``audit`` keeps the append-only record of every decision; ``lock``
keeps two gate processes off the same inbox; ``watch`` finds stories that have finished
arriving; ``run`` ties them together for the ``mtcheck gate`` command.
"""

VERDICTS = ("accepted", "review", "rejected")
