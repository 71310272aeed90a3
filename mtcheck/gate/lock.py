"""One gate per inbox: an exclusive flock on ``INBOX/.mtcheck-gate/lock``.

The lock is held for the whole run (recovery, every story, and the whole of ``--watch``),
so a second gate on the same inbox waits until the first one finishes or stops: it is a
hot standby, never a second decider. The kernel drops the lock when its holder dies, even
under SIGKILL, so a crashed gate never leaves the inbox locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable


class LockTimeout(Exception):
    pass


class InboxLock:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def acquire(self, timeout: float | None = None, on_wait: Callable[[str], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds (None: as long as it takes).
        Returns False if ``should_stop`` asked to give up while waiting."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                if should_stop is not None and should_stop():
                    os.close(fd)
                    return False
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockTimeout(f"inbox is locked by another gate (pid {self.holder()}): {self.path}")
                if on_wait is not None and not told:
                    on_wait(self.holder())
                    told = True
                time.sleep(0.05)
        except BaseException:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
            raise
        # Who holds it, for the message a waiting gate prints; informational only.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> "InboxLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
