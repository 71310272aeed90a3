"""A progress bar for long runs: documents done, sentences per second, ETA.

Drawn with tqdm on standard error, and only when standard error is a terminal: in a pipe, a
log file or CI the run stays quiet. It appears after ``DELAY_S`` so that short runs never
flash a bar. Any subsystem with a document loop can use it:

    with Progress("scan") as progress:
        progress.start(total_documents)
        ...
        progress.update(1, len(doc.sentences))
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY_S = 1.0


class Progress:
    def __init__(self, description: str = "", stream: TextIO | None = None, enabled: bool | None = None,
                 delay: float = DELAY_S):
        self.delay = delay
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.description = description
        self.documents = 0
        self.sentences = 0
        self._bar = None
        self._started = time.monotonic()

    def start(self, total: int | None) -> None:
        """Begin (or restart) counting towards ``total`` documents (None: unknown)."""
        self._started = time.monotonic()
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        from tqdm import tqdm  # only on a terminal

        self._bar = tqdm(
            total=total, desc=self.description or None, unit="doc", file=self.stream,
            delay=self.delay, dynamic_ncols=True, leave=False, smoothing=0.1,
        )

    def update(self, documents: int = 1, sentences: int = 0) -> None:
        self.documents += documents
        self.sentences += sentences
        if self._bar is None:
            return
        elapsed = max(time.monotonic() - self._started, 1e-9)
        self._bar.set_postfix_str(f"{self.sentences / elapsed:,.0f} sentences/s", refresh=False)
        self._bar.update(documents)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
