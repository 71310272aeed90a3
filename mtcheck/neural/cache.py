"""Model preparation cache: one-time conversions of packaged weights (e.g. the fluency GGUF
de-quantized to safetensors) kept under ``<cache base>/models/``.

``<cache base>`` is the folder the result store uses too (``mtcheck.locations``: the run's
``--cache-dir`` or ``cache`` setting, else ``$MTCHECK_CACHE_DIR``, else the user cache
directory).

A prepared model is a folder ``models/<role>-<key>/`` holding the converted files and a
marker, ``mtcheck-prepared.json``, written last. Preparation builds into a temporary folder
beside it and renames it into place, under a file lock, so two processes converting at once
neither corrupt each other nor both pay for the conversion: the second waits, then finds the
first one's result. A folder without its marker is never used.

Nothing here imports a model framework.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

MARKER = "mtcheck-prepared.json"
LOCK_TIMEOUT_S = 15 * 60  # a conversion takes ~30 s; a lock held this long belongs to a dead process


class PrepareError(RuntimeError):
    """A model could not be prepared; the message says why on one line."""


def base_dir() -> Path:
    from mtcheck.locations import cache_base

    return cache_base()


def models_dir() -> Path:
    return base_dir() / "models"


def prepared_dir(role: str, key: str) -> Path:
    return models_dir() / f"{role}-{key}"


def read_marker(path: Path) -> dict | None:
    """The marker of a prepared folder, or None when the folder is not (completely) prepared."""
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_ready(role: str, key: str) -> bool:
    return read_marker(prepared_dir(role, key)) is not None


def dir_size(path: Path) -> int:
    total = 0
    for p in Path(path).rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:
            pass
    return total


def prepare(role: str, key: str, build: Callable[[Path], dict], describe: str = "") -> tuple[Path, bool]:
    """Return the prepared folder for ``role``/``key``, building it with ``build(tmp_dir)`` first
    if needed. ``build`` writes the files and returns extra marker fields.

    Returns (folder, built): ``built`` is False when an earlier run (or a concurrent process)
    had already prepared it.
    """
    final = prepared_dir(role, key)
    if read_marker(final) is not None:
        return final, False
    from filelock import FileLock, Timeout

    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PrepareError(f"cannot create the model cache {final.parent}: {e.strerror or e}") from None
    lock = FileLock(str(final) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            if read_marker(final) is not None:  # another process finished while we waited
                return final, False
            if final.exists():  # a folder left by an interrupted run: never trusted
                shutil.rmtree(final, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
            try:
                started = time.time()
                extra = build(tmp) or {}
                marker = {
                    "role": role,
                    "key": key,
                    "describe": describe,
                    "prepared_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "seconds": round(time.time() - started, 1),
                    "python": sys.version.split()[0],
                    **extra,
                }
                (tmp / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
                os.replace(tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except Timeout:
        raise PrepareError(f"timed out waiting for another process preparing {final}") from None
    except OSError as e:
        raise PrepareError(f"cannot prepare {role} model in {final.parent}: {e.strerror or e}") from None
    return final, True


def show_progress() -> bool:
    """Progress bars only on a terminal; quiet in pipes, CI logs and tests."""
    return sys.stderr.isatty() and not os.environ.get("MTCHECK_NO_PROGRESS")
