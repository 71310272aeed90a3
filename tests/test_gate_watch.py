"""``mtcheck gate --watch``: files still being written are left alone until complete, new
files are picked up, and SIGTERM/SIGINT stop the gate cleanly (story in hand finished,
lock released)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import time
from pathlib import Path

from gate_support import PARAGRAPH, audit, found, running_gate, stop, wait_for


def lock_is_free(root: Path) -> bool:
    fd = os.open(root / "inbox" / ".mtcheck-gate" / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_watch_waits_for_slow_writers_and_part_files_then_stops_on_sigterm(tmp_path):
    root = tmp_path
    inbox = root / "inbox"
    inbox.mkdir()
    # Polls 0.5 s apart; the writer appends every 0.05 s, so only a stall of a whole second on
    # a loaded machine could make a growing file look settled.
    with running_gate(root, "--watch", "--interval", "0.5", "--format", "json") as proc:
        lock = inbox / ".mtcheck-gate" / "lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(proc.pid), what="the gate to hold the lock")

        # A writer that appends in place for about a second.
        slow = inbox / "slow.txt"
        content = "Talks resume in Geneva\n\n" + PARAGRAPH * 20
        step = len(content) // 20 + 1
        with open(slow, "w", encoding="utf-8") as fh:
            for i in range(0, len(content), step):
                fh.write(content[i:i + step])
                fh.flush()
                time.sleep(0.05)
                assert slow.exists() and found(root, "slow.txt") is None, "taken while still being written"

        # A writer that uses a temporary name and renames when done.
        part = inbox / "fast.txt.part"
        part.write_text("Markets open higher\n\n" + PARAGRAPH * 3, encoding="utf-8")
        time.sleep(1.5)  # three polls: a .part file is never taken
        assert part.exists() and found(root, "fast.txt.part") is None
        os.rename(part, inbox / "fast.txt")

        # A story is placed first and its audit record appended after: wait for both.
        wait_for(lambda: found(root, "slow.txt") and found(root, "fast.txt")
                 and {"slow.txt", "fast.txt"} <= {r["source"] for r in audit(root)}, what="both stories to be gated")
        assert found(root, "slow.txt").read_text(encoding="utf-8") == content  # whole, not a prefix
        records = {r["source"]: r for r in audit(root)}
        assert records["slow.txt"]["hash"] == "sha256:" + hashlib.sha256(content.encode()).hexdigest()
        assert set(records) == {"slow.txt", "fast.txt"}

        out, err = stop(proc, signal.SIGTERM)
    assert proc.returncode == 0, err
    assert "SIGTERM: stopping" in err
    summary = json.loads(out)
    assert sorted(s["source"] for s in summary["stories"]) == ["fast.txt", "slow.txt"]
    assert lock_is_free(root)
    assert not list((inbox / ".mtcheck-gate" / "journal").iterdir())


def test_sigint_finishes_the_story_in_hand_and_leaves_the_rest(tmp_path):
    root = tmp_path
    inbox = root / "inbox"
    inbox.mkdir()
    for i in range(120):
        (inbox / f"s{i:03d}.txt").write_text(f"Story {i}\n\n" + PARAGRAPH * 3, encoding="utf-8")
    with running_gate(root) as proc:
        first = proc.stdout.readline()  # the first story is through
        assert first.startswith(("accepted", "review", "rejected")), first
        out, err = stop(proc, signal.SIGINT)
    assert "SIGINT: stopping after the story in hand" in err
    moved = [r["source"] for r in audit(root)]
    left = sorted(p.name for p in inbox.glob("*.txt"))
    assert moved and left, "the signal should stop the run part-way"
    assert proc.returncode == 2 and "left in the inbox" in err
    assert sorted(moved + left) == [f"s{i:03d}.txt" for i in range(120)]  # each exactly once
    assert all(found(root, name) for name in moved)
    assert not list((inbox / ".mtcheck-gate" / "journal").iterdir())  # nothing half-done
    assert lock_is_free(root)
