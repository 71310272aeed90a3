"""The model registry (``models/registry.toml``): which model plays which role, where it
resolves from. Nothing here imports a model framework."""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MODELS_DIR = Path(os.environ.get("MTCHECK_MODELS_DIR", Path(__file__).resolve().parents[2] / "models"))


@lru_cache(maxsize=1)
def roles() -> dict[str, dict]:
    with open(MODELS_DIR / "registry.toml", "rb") as fh:
        return tomllib.load(fh)["roles"]


def package_dir(package: str) -> Path | None:
    """Where an installed package lives, without importing it (some import heavy deps)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def artifact_path(role: str) -> Path:
    return MODELS_DIR / roles()[role]["path"]


def packaged_path(role: str) -> Path | None:
    entry = roles()[role]
    base = package_dir(entry["package"])
    if base is None:
        return None
    return base / entry["path"] if "path" in entry else base


def signature(names) -> dict:
    """Model ids (and artifact hashes) a result depends on."""
    import hashlib

    out = {}
    for name in names:
        entry = roles().get(name)
        if entry is None:
            continue
        if entry["source"] == "artifact":
            p = artifact_path(name)
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()[:12] if p.exists() else "missing"
        else:
            out[name] = entry.get("model_id", name)
    return out
