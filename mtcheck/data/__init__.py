"""Data files shipped with mtcheck (word lists, patterns, gazetteers) and their loaders.

Data that is not code lives here, and is validated when loaded: an unknown key, a missing
key, a value of the wrong type or a regex that does not compile is a ``DataError`` whose
one-line message names the file and the key, never a silent default.

A schema is plain Python:

- a type or tuple of types: the value must be an instance (``bool`` is not an ``int`` here);
- ``[spec]``: a list whose items all match ``spec``;
- ``{"key": spec, "opt?": spec, "*": spec}``: a table; keys ending in ``?`` are optional,
  ``"*"`` admits any other key (a map), every other key is an error;
- any other callable: a converter (e.g. ``regex()``) returning the value to keep, raising
  ``ValueError`` with the reason when the value is bad.

``load_toml`` returns the validated data with converted values (compiled patterns).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

from mtcheck.fsutil import read_toml

DATA_DIR = Path(__file__).resolve().parent


class DataError(ValueError):
    """A data file that cannot be read or does not match its schema."""


def data_path(name: str | os.PathLike) -> Path:
    """A file shipped in ``mtcheck/data/`` by bare name; a path (with a folder) as given."""
    p = Path(name)
    return p if (p.is_absolute() or len(p.parts) > 1) else DATA_DIR / p


def load_toml(name: str | os.PathLike, schema: dict) -> dict:
    path = data_path(name)
    raw = read_toml(path, DataError)
    return validate(raw, schema, str(path))


def validate(value: Any, spec: Any, where: str) -> Any:
    """``value`` checked against ``spec``; ``where`` names the file and key in errors."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise DataError(f"{where}: expected a table, got {_kind(value)}")
        out = {}
        known = {k.rstrip("?"): k for k in spec if k != "*"}
        for key, item in value.items():
            if key in known:
                out[key] = validate(item, spec[known[key]], f"{where}: {key}")
            elif "*" in spec:
                out[key] = validate(item, spec["*"], f"{where}: {key}")
            else:
                expected = ", ".join(sorted(known)) or "none"
                raise DataError(f"{where}: unknown key '{key}' (expected: {expected})")
        for key, raw_key in known.items():
            if not raw_key.endswith("?") and key not in value:
                raise DataError(f"{where}: missing key '{key}'")
        return out
    if isinstance(spec, list):
        if len(spec) != 1:
            raise TypeError("a list schema holds exactly one item spec")
        if not isinstance(value, list):
            raise DataError(f"{where}: expected a list, got {_kind(value)}")
        return [validate(item, spec[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(spec, (type, tuple)):
        types = spec if isinstance(spec, tuple) else (spec,)
        if isinstance(value, bool) and bool not in types:
            raise DataError(f"{where}: expected {_names(types)}, got a boolean")
        if not isinstance(value, types):
            raise DataError(f"{where}: expected {_names(types)}, got {_kind(value)}")
        return value
    if callable(spec):
        try:
            return spec(value)
        except (ValueError, TypeError, re.error) as e:
            raise DataError(f"{where}: {e}") from None
    raise TypeError(f"bad schema item {spec!r}")


def regex(flags: int = 0) -> Callable[[Any], re.Pattern]:
    """A converter: a string that compiles as a regular expression."""

    def compile_pattern(value: Any) -> re.Pattern:
        if not isinstance(value, str):
            raise ValueError(f"expected a regular expression string, got {_kind(value)}")
        try:
            return re.compile(value, flags)
        except re.error as e:
            raise ValueError(f"bad regular expression {value!r}: {e}") from None

    return compile_pattern


def words(value: Any) -> frozenset[str]:
    """A converter: a list of distinct non-empty strings without surrounding spaces."""
    if not isinstance(value, list):
        raise ValueError(f"expected a list of words, got {_kind(value)}")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item or item != item.strip():
            raise ValueError(f"expected non-empty words without surrounding spaces, got {item!r}")
        if item in seen:
            raise ValueError(f"'{item}' is listed twice")
        seen.add(item)
    return frozenset(seen)


def load_counts(name: str | os.PathLike) -> dict[str, int]:
    """A word-count list: one ``word<TAB>count`` (or bare ``word``, count 0) per line;
    ``#`` starts a comment line. Malformed lines are errors naming the line."""
    path = data_path(name)
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    counts: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line or line[0] == "#":
            continue
        word, tab, count = line.partition("\t")
        if not word or word != word.strip() or (tab and not count.isdigit()):
            raise DataError(f"{path}:{number}: expected 'word<TAB>count', got {line!r}")
        counts[word] = int(count) if tab else 0
    return counts


_KIND_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}


def _kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


def _names(types: tuple) -> str:
    return " or ".join(_KIND_NAMES.get(t, t.__name__) for t in types)


__all__ = ["DATA_DIR", "DataError", "data_path", "load_toml", "load_counts", "validate", "regex", "words"]
