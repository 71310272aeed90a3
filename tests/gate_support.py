"""What the tests of a running ``mtcheck gate`` process share: its command line, waiting for
what it does, and stopping it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

VERDICTS = ("accepted", "review", "rejected")
# What is under test is the gate's bookkeeping, not the rules: the entity family is left out
# because building its gazetteer costs most of a second at each of the many process starts.
RULES = ["--no-neural", "--ignore", "entity"]
PARAGRAPH = ("Delegations from both countries met in Geneva on Monday to discuss the exchange of prisoners. "
             "Officials said the next round would take place in March.\n\n")


def gate_command(root: Path, *extra: str) -> list[str]:
    """``mtcheck gate ROOT/inbox`` with its three folders under ``ROOT/out``."""
    cmd = [sys.executable, "-m", "mtcheck", "gate", str(root / "inbox"), *RULES, *extra]
    for v in VERDICTS:
        cmd += [f"--{v}", str(root / "out" / v)]
    return cmd


@contextlib.contextmanager
def running_gate(root: Path, *extra: str, env: dict | None = None) -> Iterator[subprocess.Popen]:
    """A gate process for the ``with`` block; killed at the end if it is still running (a
    failed assertion must not leave it holding the inbox)."""
    proc = subprocess.Popen(gate_command(root, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> tuple[str, str]:
    """Send ``sig``; the process's stdout and stderr once it has ended."""
    proc.send_signal(sig)
    return proc.communicate(timeout=timeout)


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def found(root: Path, name: str) -> Path | None:
    """Where the gate put ``name``: its place in one of the three folders, or None."""
    for v in VERDICTS:
        p = root / "out" / v / name
        if os.path.lexists(p):
            return p
    return None


def audit(root: Path) -> list[dict]:
    log = root / "inbox" / ".mtcheck-gate" / "gate.log.jsonl"
    return [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
