"""Configuration: ``[tool.mtcheck]`` in a ``pyproject.toml``, or a ``mtcheck.toml``.

Found by walking up from the scanned path (the first file that has mtcheck settings wins,
``mtcheck.toml`` before ``pyproject.toml`` in the same folder). CLI flags override it.
Unknown keys are errors, not silently ignored: a typo in ``ignore`` must not switch a rule on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtcheck.findings import Severity
from mtcheck.fsutil import read_toml, tomllib

# Section -> keys it may hold. A section owned by a later subsystem (gate policy, translation
# models) lists its keys here so that validation stays in one place.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {
        "select": list,
        "ignore": list,
        "extend-select": list,
        "severity": dict,
        "gazetteer": list,
        "include": list,
        "exclude": list,
        "fail-on": str,
        "neural": bool,
        "parse": bool,
        "rewrite": bool,
        "unsafe-fixes": bool,
        "jobs": int,
        "cache": (bool, str),
    },
    "quality": {"threshold": (int, float), "model": str},
    "translation": {
        "en-ru": str,
        "ru-en": str,
        "backend": str,
        "num-candidates": int,
        "beam-size": int,
        "device": str,
    },
    "rewrite": {"threshold": (int, float), "model": str},
    "gate": {  # meaning, defaults and value checks: mtcheck/gate/policy.py KEYS
        "require-english": bool,
        "max-foreign-share": (int, float),
        "reject-categories": list,
        "max-errors": int,
        "max-warnings": int,
        "max-category": dict,
        "max-flagged-share": (int, float),
        "min-quality": (int, float),
        "review-foreign-share": (int, float),
        "review-categories": list,
        "review-errors": int,
        "review-warnings": int,
        "review-category": dict,
        "review-flagged-share": (int, float),
        "review-quality": (int, float),
        "quality-aggregate": str,
        "audit-log": str,
    },
    "review": {"db": str, "reviewer": str},
}


class ConfigError(Exception):
    """Malformed configuration; the message names the file and the problem on one line."""


@dataclass
class Config:
    path: str | None = None  # the file these settings came from, if any
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    gazetteer: list[str] = field(default_factory=list)  # absolute paths
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.ERROR
    neural: bool = True
    parse: bool = True
    rewrite: bool = False
    unsafe_fixes: bool = False
    jobs: int = 1
    cache: bool | str = True
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)  # quality, translation, gate, ...

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})


def find_config(start: str | os.PathLike | None) -> Path | None:
    """The nearest mtcheck.toml, or pyproject.toml with a [tool.mtcheck] table, above ``start``."""
    here = Path(start or ".").resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "mtcheck.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_mtcheck_table(candidate):
            return candidate
    return None


def _has_mtcheck_table(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return "mtcheck" in tomllib.load(fh).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml that may hold our table: load_config reports it properly.
        try:
            return "[tool.mtcheck" in path.read_text(errors="replace")
        except OSError:
            return False


def load_config(path: str | os.PathLike | None) -> Config:
    """Load and validate settings from ``path`` (None: defaults)."""
    if path is None:
        return Config()
    path = Path(path)
    raw = read_toml(path, ConfigError, "config")
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("mtcheck", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [tool.mtcheck] must be a table")
    return _from_table(raw, path)


def _from_table(raw: dict[str, Any], path: Path) -> Config:
    cfg = Config(path=str(path))
    for key, value in raw.items():
        if key in SCHEMA and key != "":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{key}' must be a table")
            for sub, subvalue in value.items():
                _check_type(path, f"{key}.{sub}", SCHEMA[key].get(sub), subvalue)
            cfg.sections[key] = dict(value)
            continue
        _check_type(path, key, SCHEMA[""].get(key), value)
        attr = key.replace("-", "_")
        if key == "severity":
            try:
                cfg.severity = {code.upper(): Severity.parse(str(v)) for code, v in value.items()}
            except ValueError as e:
                raise ConfigError(f"{path}: severity: {e}") from None
        elif key == "fail-on":
            try:
                cfg.fail_on = Severity.parse(value)
            except ValueError as e:
                raise ConfigError(f"{path}: fail-on: {e}") from None
        elif key == "gazetteer":
            cfg.gazetteer = [str((path.parent / g).resolve()) for g in value]
            for g in cfg.gazetteer:
                if not os.path.isfile(g):
                    raise ConfigError(f"{path}: gazetteer file not found: {g}")
        else:
            if isinstance(value, list) and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: '{key}' must be a list of strings")
            setattr(cfg, attr, value)
    return cfg


def _check_type(path: Path, key: str, expected, value) -> None:
    if expected is None:
        raise ConfigError(f"{path}: unknown setting '{key}'")
    # bool is an int subclass: a threshold of `true` is a mistake, not 1.
    if isinstance(value, bool) and bool not in (expected if isinstance(expected, tuple) else (expected,)):
        raise ConfigError(f"{path}: '{key}' has the wrong type (got a boolean)")
    if not isinstance(value, expected):
        names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"{path}: '{key}' must be {names}, got {type(value).__name__}")
