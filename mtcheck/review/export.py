"""Export a review: cleaned copies, a unified diff per changed file, and decisions.json.

Works from the decision log alone (no scan, no models): each decision in force carries its
span, original text and replacement, and the SHA-256 of the file version it was made on.
Only decisions on the version now on disk are applied; the rest are reported as stale.
Originals are never written: the output folder may not be the reviewed folder, and no output
path may resolve to a story. Inside the reviewed folder (the default ``.mtcheck/export``) no
part of the export path may be a symlink, and no file is written through a symlink that leads
out of the export folder: whoever can write into the stories cannot redirect the export.
"""

from __future__ import annotations

import getpass
import json
import os
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


def export(root: Path, files, store: Store, out_dir: Path, reviewer: str) -> dict:
    from mtcheck.reader import InputError
    from mtcheck.review.files import read_story

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
    originals = {f.path.resolve() for f in files}
    for f in files:  # every output path checked before the first file is written
        for name in (f.rel, f.rel + ".diff"):
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
    for f in files:
        item: dict = {"path": f.rel}
        report_files.append(item)
        if f.error is not None:
            item["error"] = f.error
            continue
        try:
            sha, text, encoding = read_story(f.path)
        except InputError as e:
            item["error"] = e.message
            continue
        item["sha256"] = sha
        in_force = [by_id[i] for (path, _, _), i in latest.items() if path == f.rel]
        changes = []
        for d in in_force:
            if d.sha256 != sha:
                status[d.id] = "stale"
                stale_total += 1
            elif d.action == "reject":
                status[d.id] = "rejected"
            else:
                changes.append(Change(d.start, d.end, d.original, d.replacement, d.kind, d))
        kept, dropped = plan(text, changes)
        for c in kept:
            status[c.ref.id] = "applied"
        for c, why in dropped:
            status[c.ref.id] = why
        cleaned = apply_changes(text, kept)

        target = _inside(out_dir, out_dir / f.rel)
        if target.resolve() in originals:
            raise ExportError(f"{target}: would overwrite an original story; choose another export folder")
        data, written_as = _encode(cleaned, encoding)
        atomic_write(target, data)
        item.update({"output": f.rel, "encoding": written_as, "applied": len(kept), "changed": cleaned != text})
        if cleaned != text:
            patch = unified_diff(f.rel, text, cleaned)
            diff_target = _inside(out_dir, out_dir / (f.rel + ".diff"))
            if diff_target.resolve() in originals:
                raise ExportError(f"{diff_target}: would overwrite an original story; choose another export folder")
            atomic_write(diff_target, patch.encode(_patch_encoding(written_as), errors="replace"))
            item["diff"] = f.rel + ".diff"

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
    }
