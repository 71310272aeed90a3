"""File names and writes of the gate that survive hostile story names.

A story's name comes from whoever fills the inbox: up to the 255 bytes a folder entry may
hold, and not necessarily UTF-8. Python carries an undecodable name as a ``str`` with lone
surrogates (``surrogateescape``), which ``os`` functions turn back into the same bytes, so
paths stay exact; but such a string cannot be encoded as UTF-8, and a name near the limit
leaves no room for ``.mtcheck.json`` or a temporary name. So the gate:

* derives every name it makes (report, copy in progress, ``name.2.ext``) with ``fit_name``,
  which keeps the name when it fits and otherwise shortens it on a character boundary and
  adds a hash of the full name, so two long names never share a report;
* writes its reports and journal entries with ``write_atomic`` (``fsutil.atomic_write``,
  whose temporary name is cut to fit however long the story's name is);
* writes JSON with ``dumps``: an undecodable byte is written as the escape ``\\udcXX``,
  which ``json.loads`` reads back as the same surrogate, so a journaled path round-trips to
  the original bytes and the file stays valid UTF-8;
* shows names on a terminal with ``shown``: undecodable bytes as ``\\xNN``, control
  characters escaped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from mtcheck.fsutil import atomic_write

NAME_MAX = 255  # bytes in one folder entry: ext4, xfs, btrfs, tmpfs
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def name_bytes(name: str) -> bytes:
    return os.fsencode(name)


def fit_name(name: str, suffix: str = "", prefix: str = "") -> str:
    """``prefix + name + suffix`` if that fits in one folder entry; otherwise ``name`` cut
    (on a character boundary) to make room for ``~HASH8`` and the rest."""
    whole = prefix + name + suffix
    if len(name_bytes(whole)) <= NAME_MAX:
        return whole
    tag = "~" + hashlib.sha256(name_bytes(name)).hexdigest()[:8]
    room = NAME_MAX - len(name_bytes(prefix + tag + suffix))
    raw = name_bytes(name)[:max(0, room)]
    # Drop a torn multi-byte character at the cut (it would turn into escaped surrogates).
    cut = raw.decode("utf-8", errors="ignore") if _decodes_but_torn(raw) else os.fsdecode(raw)
    while len(name_bytes(prefix + cut + tag + suffix)) > NAME_MAX:
        cut = cut[:-1]
    return prefix + cut + tag + suffix


def _decodes_but_torn(raw: bytes) -> bool:
    """True when ``raw`` is valid UTF-8 except for a character cut off at its end."""
    try:
        raw.decode("utf-8")
        return False
    except UnicodeDecodeError as e:
        return e.start >= len(raw) - 3 and e.reason == "unexpected end of data"


def dumps(obj, indent: int | None = None) -> str:
    """JSON text that is always valid UTF-8: undecodable name bytes become ``\\udcXX``."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    # Lone surrogates can only sit inside JSON strings, where a \\u escape means the same.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(name: object) -> str:
    """A name safe to print: undecodable bytes as ``\\xNN``, control characters escaped."""
    s = str(name)
    if _SURROGATE.search(s):
        s = name_bytes(s).decode("utf-8", errors="backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", s)


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` all or nothing (``fsutil.atomic_write``: temporary file
    beside it, fsync, rename, fsync the folder). A symlink planted at ``path`` is replaced,
    never written through."""
    atomic_write(path, text.encode("utf-8"), replace_links=True)



