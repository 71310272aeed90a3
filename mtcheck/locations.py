"""Where mtcheck keeps what it computes: the cache base folder shared by the result store
(``results.sqlite``) and the prepared models (``models/``).

The folder is chosen once per process from the run's settings (``configure``, called when a
pipeline is built, in the main process and in every worker); a library caller that never
configures one gets ``$MTCHECK_CACHE_DIR``, else the user cache folder (platformdirs).
Nothing else in mtcheck decides this, and no module passes it through the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "MTCHECK_CACHE_DIR"
_configured: Path | None = None


def configure(folder: str | os.PathLike | None) -> None:
    """Use ``folder`` as the cache base for the rest of this process (None: the default)."""
    global _configured
    _configured = Path(folder).expanduser() if folder else None


def cache_base() -> Path:
    if _configured is not None:
        return _configured
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtcheck", appauthor=False))
