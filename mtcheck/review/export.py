"""Export a review: cleaned copies, a unified diff per changed file, and decisions.json.

Works from the decision log alone (no scan, no models): each decision in force carries its
span, original text and replacement, and the SHA-256 of the file version it was made on.
Only decisions on the version now on disk are applied; the rest are reported as stale.
A wire file (ninjs, NewsML-G2, NITF, a feed, a web page) is written back in its own format:
the decisions on each of its stories (every item of a feed) go into the one file, escaped as
its markup needs, everything else byte for byte as it was (``readers.written_back_all``).
Originals are never written: the output folder may not be the reviewed folder, and no output
path may resolve to a story. Inside the reviewed folder (the default ``.mtcheck/export``) no
part of the export path may be a symlink, and no file is written through a symlink that leads
out of the export folder: whoever can write into the stories cannot redirect the export.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from difflib import SequenceMatcher
from pathlib import Path

from mtcheck import __version__
from mtcheck.changes import Change, apply_changes, plan
from mtcheck.fsutil import atomic_write
from mtcheck.report.diff import unified_diff
from mtcheck.review.store import Store, now


class ExportError(Exception):
    """The export cannot be written where asked (one-line message)."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _encode(text: str, encoding: str) -> tuple[bytes, str]:
    """The cleaned copy in the story's own encoding, byte-order mark and byte order included
    (``reader.encode_story``), when it can hold the text, else UTF-8. Line endings are the
    story's own: the text is decoded without translating them."""
    from mtcheck.reader import EncodingError, encode_story

    try:
        return encode_story(text, encoding), encoding
    except EncodingError:
        return text.encode("utf-8"), "utf-8"


def _patch_encoding(encoding: str) -> str:
    # A patch must match the file's bytes for `git apply`; a BOM or UTF-16 cannot be in one.
    return encoding if encoding in ("cp1251", "koi8-r", "latin-1", "cp1252", "utf-8") else "utf-8"


def _no_links_below(root: Path, out: Path) -> None:
    """Refuse an export path inside ``root`` that passes through a symlink (a planted
    ``.mtcheck`` or ``.mtcheck/export`` link would carry the export anywhere)."""
    try:
        rel = out.relative_to(root)
    except ValueError:
        return  # a folder elsewhere, named by the user: their links are theirs
    here = root
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            raise ExportError(f"{here}: is a symlink inside the reviewed folder; the export is not written through it "
                              "(remove it, or export to a folder outside the reviewed one)")


def _inside(out_dir: Path, target: Path) -> Path:
    """``target`` if writing it stays inside ``out_dir`` (which is resolved), else an error."""
    real = Path(os.path.realpath(target))
    if real != out_dir and out_dir not in real.parents:
        raise ExportError(f"{target}: leads out of the export folder (a symlink to {real}); not written")
    return target


def _write_story(out_dir: Path, originals: set, rel: str, original: str, cleaned: str,
                 encoding: str) -> tuple[str, str | None]:
    """Write the cleaned copy of one file (and its diff when it changed); returns (the
    encoding written, the diff's name or None)."""
    target = _inside(out_dir, out_dir / rel)
    if target.resolve() in originals:
        raise ExportError(f"{target}: would overwrite an original story; choose another export folder")
    data, written_as = _encode(cleaned, encoding)
    atomic_write(target, data)
    if cleaned == original:
        return written_as, None
    patch = unified_diff(rel, original, cleaned)
    diff_target = _inside(out_dir, out_dir / (rel + ".diff"))
    if diff_target.resolve() in originals:
        raise ExportError(f"{diff_target}: would overwrite an original story; choose another export folder")
    atomic_write(diff_target, patch.encode(_patch_encoding(written_as), errors="replace"))
    return written_as, rel + ".diff"


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def narrowed(change: Change) -> list[Change]:
    """``change`` as the word-level edits that make it: a card replaces a whole sentence, and
    written back into markup, a replacement crossing an inline element or an escaped
    character would move or re-escape text the editor did not change. An insertion takes
    the word before it along, so that it lands inside that word's run of text."""
    a, b = _TOKEN.findall(change.original), _TOKEN.findall(change.replacement)
    if "".join(a) != change.original or "".join(b) != change.replacement:
        return [change]
    starts = [change.start]
    for tok in a:
        starts.append(starts[-1] + len(tok))
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # a pure insertion
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            elif i2 < len(a):
                i2, j2 = i2 + 1, j2 + 1
        out.append(Change(starts[i1], starts[i2], "".join(a[i1:i2]), "".join(b[j1:j2]), change.kind, change.ref))
    return out


def _write_wire(out_dir: Path, originals: set, rel: str, members: list, status: dict[int, str]) -> None:
    """Write one wire file with the decisions on each of its stories (``members``: report
    item, ``StoryText``, changes kept, cleaned checked text) written back into it, in its
    format and encoding, the markup otherwise as it was (``readers.written_back_all``, as
    ``mtcheck fix`` writes). A file the changes would break is not written."""
    from mtcheck.changes import FixedStory
    from mtcheck.readers import WireError, written_back_all

    stories = [(FixedStory(path=rel, original=story.text, text=cleaned,
                           applied=[e for c in kept for e in narrowed(c)]), story.source)
               for _, story, kept, cleaned in members]
    notes: list[str] = []
    try:
        fixed = written_back_all(stories, notes)
    except WireError as e:
        for item, _, kept, _ in members:
            item["error"] = e.message
            for c in kept:
                status[c.ref.id] = "not written"
        return
    encoding = members[0][1].encoding
    written_as, diff = _write_story(out_dir, originals, rel, fixed.original, fixed.text, encoding)
    for item, story, kept, cleaned in members:
        item.update({"output": rel, "format": story.source.format, "encoding": written_as, "applied": len(kept),
                     "changed": cleaned != story.text})
        if diff:
            item["diff"] = diff
        if notes:
            item["notes"] = list(notes)


def export(root: Path, files, store: Store, out_dir: Path, reviewer: str) -> dict:
    from mtcheck.reader import InputError
    from mtcheck.review.files import load_story

    given_root = Path(os.path.abspath(root))
    root = Path(root).resolve()
    out_abs = Path(os.path.abspath(out_dir))
    for base in {given_root, root}:
        _no_links_below(base, out_abs)
    out_dir = out_abs.resolve()
    if out_dir == root:
        raise ExportError(f"{out_dir}: the export folder must not be the reviewed folder (originals are never overwritten)")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder")
    originals = {f.disk.resolve() for f in files}
    for f in files:  # every output path checked before the first file is written
        for name in (f.file_rel, f.file_rel + ".diff"):
            if _inside(out_dir, out_dir / name).resolve() in originals:
                raise ExportError(f"{out_dir / name}: would overwrite an original story; choose another export folder")
    _inside(out_dir, out_dir / "decisions.json")

    log = store.decisions()
    status: dict[int, str] = {}
    latest: dict[tuple[str, str, str], int] = {}
    for d in log:
        if d.undone_at is not None:
            status[d.id] = "undone"
            continue
        if d.dismissed_at is not None:
            status[d.id] = "dismissed"  # a stale decision the editor put away
            continue
        key = (d.path, d.sha256, d.suggestion)
        if key in latest:
            status[latest[key]] = "replaced"  # a later decision on the same suggestion
        latest[key] = d.id
    by_id = {d.id: d for d in log}

    report_files = []
    stale_total = 0
    # The wire stories of each file (every item of a feed or news message): written back together.
    wire: dict[str, list[tuple[dict, object, list, str]]] = {}
    for f in files:
        item: dict = {"path": f.rel}
        report_files.append(item)
        if f.error is not None:
            item["error"] = f.error
            continue
        try:
            story = load_story(f)
        except InputError as e:
            item["error"] = e.message
            continue
        item["sha256"] = story.sha256
        in_force = [by_id[i] for (path, _, _), i in latest.items() if path == f.rel]
        changes = []
        for d in in_force:
            if d.sha256 != story.sha256:
                status[d.id] = "stale"
                stale_total += 1
            elif d.action == "reject":
                status[d.id] = "rejected"
            else:
                changes.append(Change(d.start, d.end, d.original, d.replacement, d.kind, d))
        kept, dropped = plan(story.text, changes)
        for c in kept:
            status[c.ref.id] = "applied"
        for c, why in dropped:
            status[c.ref.id] = why
        cleaned = apply_changes(story.text, kept)
        if story.source is not None:
            wire.setdefault(f.file_rel, []).append((item, story, kept, cleaned))
            continue
        written_as, diff = _write_story(out_dir, originals, f.file_rel, story.text, cleaned, story.encoding)
        item.update({"output": f.file_rel, "encoding": written_as, "applied": len(kept), "changed": cleaned != story.text})
        if diff:
            item["diff"] = diff

    for file_rel, members in wire.items():
        _write_wire(out_dir, originals, file_rel, members, status)

    decisions = []
    for d in log:
        rec = d.to_json()
        rec["status"] = status.get(d.id, "story not found")  # the story left the folder
        rec["replacement"] = d.replacement
        decisions.append(rec)
    record = {
        "version": 1,
        "mtcheck": __version__,
        "exported_at": now(),
        "exported_by": reviewer,
        "root": str(root),
        "files": report_files,
        "decisions": decisions,
    }
    atomic_write(_inside(out_dir, out_dir / "decisions.json"), json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return {
        "out": str(out_dir),
        "files": sum(1 for i in report_files if "output" in i),
        "changed": sum(1 for i in report_files if i.get("changed")),
        "applied": sum(i.get("applied", 0) for i in report_files),
        "stale": stale_total,
        "skipped": [i for i in report_files if "error" in i],
        # A wire file's other rendering of the text the fixes could not be mapped into (mend by hand).
        "notes": [f"{i['path']}: {n}" for i in report_files for n in i.get("notes", ())],
    }
