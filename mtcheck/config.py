"""Configuration: ``[tool.mtcheck]`` in a ``pyproject.toml``, or a ``mtcheck.toml``.

Found by walking up from the scanned path (the first file that has mtcheck settings wins,
``mtcheck.toml`` before ``pyproject.toml`` in the same folder). CLI flags override it.
Unknown keys are errors, not silently ignored: a typo in ``ignore`` must not switch a rule on.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from mtcheck.findings import Severity
from mtcheck.fsutil import MAX_TOML_BYTES, printable, read_regular, read_toml, tomllib


@dataclass(frozen=True)
class Section:
    """The keys one table of the config may hold, their types and integer ranges. The top level
    is declared here (``CORE``); every other table by the subsystem that reads it, beside its
    meaning and defaults (``mtcheck.quality``, ``mtcheck.neural.translate``, ``mtcheck.rewrite``,
    ``mtcheck.gate.policy``, ``mtcheck.review``); the CLI hands them all to ``load_config``."""

    name: str
    keys: Mapping[str, type | tuple[type, ...]]
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # inclusive, for integers


MAX_JOBS = 512
# Integer settings are checked against their section's ranges; any other integer must fit in
# 64 bits (a larger one overflows wherever it is used), and no number may be NaN.
CORE = Section("", {
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
    "unfixable": list,  # rule selectors whose findings are reported without their fix, as ruff's
    "jobs": int,
    "cache": (bool, str),
    "per-file-ignores": dict,  # glob -> rule codes (mtcheck.suppress)
}, {"jobs": (0, MAX_JOBS)})  # jobs 0: one worker per core
_INT64 = (-(1 << 63), (1 << 63) - 1)


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
    unfixable: list[str] = field(default_factory=list)  # codes, prefixes, families: no fix offered (rules.codes_named)
    jobs: int = 1
    cache: bool | str = True
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> codes, as in ruff
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)  # quality, translation, gate, ...

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})


def find_config(start: str | os.PathLike | None, warn: Callable[[str], None] | None = None) -> Path | None:
    """The nearest mtcheck.toml, or pyproject.toml with a [tool.mtcheck] table, above ``start``.

    A pyproject.toml that cannot be read or parsed and shows no sign of a [tool.mtcheck]
    table belongs to some other tool: it is skipped with a warning (``warn``, default: a
    line on stderr) instead of breaking every command below it."""
    here = Path(start or ".").resolve()
    if _is_file(here) or not _exists(here):
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "mtcheck.toml"
        if _is_file(candidate):
            return candidate
        candidate = folder / "pyproject.toml"
        if _is_file(candidate) and _has_mtcheck_table(candidate, warn or _warn):
            return candidate
    return None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # inside a folder without the x bit: not a starting point we can use
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a folder we may not search
        return False


def _warn(message: str) -> None:
    sys.stderr.write(f"mtcheck: warning: {printable(message)}\n")


def _has_mtcheck_table(path: Path, warn: Callable[[str], None] = _warn) -> bool:
    try:
        data = read_regular(path, MAX_TOML_BYTES)
    except OSError as e:
        warn(f"{path}: skipped: cannot read it ({e.strerror or e})")
        return False
    # A broken file that may hold our table: load_config reports the problem properly.
    maybe_ours = b"[tool.mtcheck" in data or b"tool.mtcheck" in data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if maybe_ours:
            return True
        warn(f"{path}: skipped: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); it has no [tool.mtcheck] table")
        return False
    try:
        tool = tomllib.loads(text.removeprefix("\ufeff")).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        if maybe_ours:
            return True
        warn(f"{path}: skipped: malformed TOML; it has no [tool.mtcheck] table")
        return False
    return isinstance(tool, dict) and "mtcheck" in tool


def load_config(path: str | os.PathLike | None, sections: Iterable[Section] | None = None) -> Config:
    """Load and validate settings from ``path`` (None: defaults). ``sections`` declares the
    tables besides the top level (the CLI passes every subsystem's); an unknown table or key is
    an error. Without ``sections`` the tables are kept as they are, unchecked."""
    if path is None:
        return Config()
    path = Path(path)
    raw = read_toml(path, ConfigError, "config")
    if path.name == "pyproject.toml":
        tool = raw.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{printable(path)}: 'tool' must be a table")
        raw = tool.get("mtcheck", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{printable(path)}: [tool.mtcheck] must be a table")
    return _from_table(raw, path, None if sections is None else {s.name: s for s in sections})


def _from_table(raw: dict[str, Any], path: Path, sections: dict[str, Section] | None) -> Config:
    cfg = Config(path=str(path))
    for key, value in raw.items():
        declared = sections.get(key) if sections is not None else None
        if declared is not None or (sections is None and key not in CORE.keys and isinstance(value, dict)):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{key}' must be a table")
            if declared is not None:
                for sub, subvalue in value.items():
                    _check_type(path, f"{key}.{sub}", declared.keys.get(sub), subvalue, declared.ranges.get(sub))
            cfg.sections[key] = dict(value)
            continue
        _check_type(path, key, CORE.keys.get(key), value, CORE.ranges.get(key))
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
        elif key == "per-file-ignores":
            for glob, codes in value.items():
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise ConfigError(f"{path}: per-file-ignores: '{printable(glob)}' must map to a list of rule codes")
            cfg.per_file_ignores = {glob: list(codes) for glob, codes in value.items()}
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


def _check_type(path: Path, key: str, expected, value, limits: tuple[int, int] | None = None) -> None:
    if expected is None:
        raise ConfigError(f"{path}: unknown setting '{key}'")
    # bool is an int subclass: a threshold of `true` is a mistake, not 1.
    if isinstance(value, bool) and bool not in (expected if isinstance(expected, tuple) else (expected,)):
        raise ConfigError(f"{path}: '{key}' has the wrong type (got a boolean)")
    if not isinstance(value, expected):
        names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"{path}: '{key}' must be {names}, got {type(value).__name__}")
    _check_value(path, key, value, limits)


def _check_value(path: Path, key: str, value, limits: tuple[int, int] | None = None) -> None:
    """Values every consumer can take: integers in range, numbers not NaN, text without NUL."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        low, high = limits or _INT64
        if not low <= value <= high:
            if limits is not None:
                raise ConfigError(f"{path}: '{key}' must be between {low} and {high}, got {_short(value)}")
            raise ConfigError(f"{path}: '{key}' is out of range: {_short(value)}")
    elif isinstance(value, float):
        if math.isnan(value):
            raise ConfigError(f"{path}: '{key}' must be a number, got nan")
    elif isinstance(value, str):
        if "\x00" in value:
            raise ConfigError(f"{path}: '{key}' contains a NUL character")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (str, int, float)):
                _check_value(path, key, item)
    elif isinstance(value, dict):
        for sub, item in value.items():
            if isinstance(item, (str, int, float)):
                _check_value(path, key, item)


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:10]}...({len(text)} digits)"
