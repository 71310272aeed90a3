"""A progress bar for long runs: documents done, sentences per second, ETA.

Drawn with tqdm on standard error, and only when standard error is a terminal. It appears
after ``DELAY_S`` so that short runs never flash a bar. Off a terminal (a pipe, a log file,
CI) there is no bar, but a run still going after ``NOTICE_S`` says once, in one line on
stderr, what it is doing, so that a silent minute in a CI log is not mistaken for a hang.
Any subsystem with a document loop can use it:

    with Progress("scan") as progress:
        progress.start(total_documents)
        ...
        progress.update(1, len(doc.sentences))
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

DELAY_S = 1.0
NOTICE_S = 5.0  # off a terminal: the one line comes after this long
REDRAW_S = 0.1  # least seconds between two redraws of the bar (tqdm's mininterval)


class Progress:
    def __init__(self, description: str = "", stream: TextIO | None = None, enabled: bool | None = None,
                 delay: float = DELAY_S, notice: float | None = NOTICE_S, redraw: float = REDRAW_S):
        self.delay = delay
        self.redraw = redraw
        self.notice = notice  # None: not even the one line off a terminal
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
        self.total: int | None = None
        self._timer: threading.Timer | None = None
        self._noted = False

    def start(self, total: int | None) -> None:
        """Begin (or restart) counting towards ``total`` documents (None: unknown)."""
        self._started = time.monotonic()
        self.total = total
        if not self.enabled:
            if self.notice is not None and not self._noted and self._timer is None:
                # A timer, not a check in update(): a first batch (or a model loading) can hold
                # the loop far longer than NOTICE_S before any document is done.
                self._timer = threading.Timer(self.notice, self._note)
                self._timer.daemon = True
                self._timer.start()
            return
        if self._bar is not None:
            self._bar.close()
        from tqdm import tqdm  # only on a terminal

        self._bar = tqdm(
            total=total, desc=self.description or None, unit="doc", file=self.stream,
            delay=self.delay, mininterval=self.redraw, dynamic_ncols=True, leave=False, smoothing=0.1,
        )

    def update(self, documents: int = 1, sentences: int = 0) -> None:
        self.documents += documents
        self.sentences += sentences
        if self._bar is None:
            return
        elapsed = max(time.monotonic() - self._started, 1e-9)
        self._bar.set_postfix_str(f"{self.sentences / elapsed:,.0f} sentences/s", refresh=False)
        self._bar.update(documents)

    def _note(self) -> None:
        if self._noted:
            return
        self._noted = True
        what = self.description or "working"
        done = f"{self.documents:,}/{self.total:,}" if self.total is not None else f"{self.documents:,}"
        try:
            self.stream.write(f"mtcheck: {what}: {done} documents done after {time.monotonic() - self._started:.0f} s; still working...\n")
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed: nothing to tell
            pass

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
