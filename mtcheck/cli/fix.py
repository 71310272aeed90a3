"""``mtcheck fix PATH... --out DIR``: cleaned copies of the stories, with a diff per file.

Applies the accepted rewrites and the safe rule fixes (``--unsafe-fixes``: the unsafe ones
too). The originals are never touched unless ``--in-place`` is given, and that only together
with ``--backup`` (``<file>.bak`` is written first). Every write is atomic.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import click

from mtcheck.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    SEVERITY_CHOICE,
    build_settings,
    fail,
    parse_fail_on,
    rule_options,
    warn,
)
from mtcheck.cli.options import translator_options
from mtcheck.settings import split_list

# Set by --allow-encoding-change (a callback: the option is not one fix() has to pass on).
_allow_encoding_change = False


def _set_allow_encoding_change(ctx, param, value) -> None:
    global _allow_encoding_change
    _allow_encoding_change = bool(value)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write the cleaned copies here, mirroring the input tree, each with a unified diff beside it (<file>.diff).")
@click.option("--in-place", is_flag=True, help="Rewrite the files themselves (needs --backup).")
@click.option("--backup", is_flag=True,
              help="With --in-place: keep the original as <file>.bak, with its mode, owner and times. An existing "
                   "backup is never replaced: the next free name is taken (<file>.bak.1, <file>.bak.2, ...). A symlinked "
                   "story is written through to its target; one with other hard links is rewritten within the same "
                   "file after the backup is safe, so every name sees the fix.")
@click.option("--force", is_flag=True,
              help="With --in-place: also rewrite read-only stories (their mode is kept). Without it they are refused.")
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply rule fixes marked unsafe (default: unsafe-fixes in config, else off).")
@click.option("--allow-encoding-change", is_flag=True, expose_value=False, callback=_set_allow_encoding_change,
              help="Write a story as UTF-8 when the cleaned text no longer fits the encoding it was read in (default: refuse, exit 2).")
@rule_options
@translator_options
@click.option("--include", multiple=True, metavar="GLOB", help="File patterns to take inside folders (default: *.txt, *.md); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="File patterns to skip inside folders; repeatable.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding this severe is left unfixed (default: error, or fail-on in config; 'never': always 0).")
def fix(paths, out_dir, in_place, backup, force, unsafe_fixes, config_path, select, ignore, extend_select, unfixable, neural, parse,
        translator_en_ru, translator_ru_en, include, exclude, fail_on):
    """Write cleaned copies of stories: accepted rewrites and safe rule fixes applied.

    With --no-neural only rule fixes are applied (no back-translation, no torch). A summary
    line per file goes to stderr. Exit codes: 0 every file written and nothing at or above
    --fail-on left unfixed, 1 such findings remain (they need an editor), 2 usage,
    configuration, input or write errors.
    """
    if in_place and not backup:
        fail("--in-place needs --backup: the original is kept as <file>.bak")
    if backup and not in_place:
        fail("--backup only goes with --in-place")
    if force and not in_place:
        fail("--force only goes with --in-place")
    if in_place and out_dir:
        fail("--out and --in-place do not combine: choose one")
    if not in_place and not out_dir:
        fail("say where the cleaned copies go: --out DIR (or --in-place --backup)")

    from mtcheck.changes import fix_story
    from mtcheck.engine import Scanner
    from mtcheck.rules import codes_named

    # The configured jobs and result store apply as in `scan`; rewrites are on (off below where none can be made).
    settings = build_settings(
        config_path, paths, select=select, ignore=ignore, extend_select=extend_select, unfixable=unfixable, neural=neural, parse=parse,
        rewrite=True, unsafe_fixes=unsafe_fixes, include=include, exclude=exclude,
        translator_en_ru=translator_en_ru, translator_ru_en=translator_ru_en,
    )
    if not settings.neural and not settings.parse:
        # Without back-translation and the offline repairs, a sentence's only rewrite would be its
        # rule fixes folded together, which fix_story applies one by one anyway (the same text,
        # counts and findings left): the records are for scan --rewrite and review to show, and
        # making them was a tenth of fixing 200,000 short lines.
        settings = settings.but(rewrite=False)
    cfg = settings.config
    threshold = parse_fail_on(fail_on, cfg)
    scanner = Scanner(settings)
    root = _common_root(paths)
    inputs = None
    if out_dir:
        # Compare real paths (symlinks, "." and ".." resolved) and device/inode, never the
        # spelling: `cd in && fix s.txt --out .` must not overwrite s.txt. Checked for every
        # output before anything is written, and again by _write as each file is written.
        out_real = os.path.realpath(out_dir)
        for p in paths:
            p_real = os.path.realpath(p)
            if os.path.isdir(p_real) and (out_real == p_real or out_real.startswith(p_real.rstrip(os.sep) + os.sep)):
                fail(f"--out {out_dir} lies inside the input {p}: choose a folder outside it")
        stories = [path for path, error in scanner.discover(paths) if error is None]
        inputs = _Inputs(stories)
        for path in stories:
            for target in _outputs(path, root, out_dir):
                hit = inputs.hit(target)
                if hit is not None:
                    fail(f"--out {out_dir}: the cleaned copy of {path} would overwrite the input {hit}: choose a folder outside the inputs")

    errors = 0
    unfixed = 0
    fix_off = 0  # findings left because `unfixable` turns their rule's fix off
    unfixable_flag = split_list(unfixable)  # settings.resolve appended these to the config's list
    configured = cfg.unfixable[:len(cfg.unfixable) - len(unfixable_flag)]
    unfixable = codes_named(cfg.unfixable) if cfg.unfixable else frozenset()
    totals = {"files": 0, "changed": 0, "rewrites": 0, "rule_fixes": 0}
    for group in _by_file(scanner.scan(paths)):
        wire = []  # (fixed story, source map) of each wire story of this file
        story = None
        for r in group:
            if r.error is not None:
                warn(f"{r.path}: {r.error.message}")
                errors += 1
                continue
            story = fix_story(r.document, unsafe=cfg.unsafe_fixes)
            lost = [f for f in story.remaining if f.code == "I101"] if r.document.decode_issues else []
            if lost:
                # Bytes the reader could not decode are U+FFFD in the text: writing it would replace
                # the original bytes for good. An editor decides (or --unsafe-fixes takes the guess).
                warn(f"error: {r.path}: {len(lost)} run(s) of bytes not valid {r.document.encoding} with no fix applied "
                     f"(first at line {r.document.line_col(lost[0].start)[0]}); not written: mend them by hand, "
                     "or use --unsafe-fixes where a reading is suggested")
                errors += 1
                story = None
                continue
            encoding = r.document.encoding
            if r.document.source is not None:
                wire.append((story, r.document.source))
        if wire:  # wire stories: every item's fixes go back into the one original file
            from mtcheck.readers import WireError, written_back_all

            notes: list[str] = []
            try:
                story = written_back_all(wire, notes)
            except WireError as e:
                warn(f"error: {wire[0][1].file}: {e.message}")
                errors += 1
                continue
            for note in notes:
                warn(f"{story.path}: {note}")
        if story is None:
            continue
        totals["files"] += 1
        try:
            where = _write(story, encoding, root, out_dir, in_place, force=force, inputs=inputs)
        except _WriteError as e:
            warn(f"error: {story.path}: {e}")
            errors += 1
            continue
        totals["changed"] += story.changed
        totals["rewrites"] += story.rewrites
        totals["rule_fixes"] += story.rule_fixes
        left = [f for f in story.remaining if threshold is not None and f.severity >= threshold]
        fix_off += sum(1 for f in story.remaining if f.code in unfixable)
        unfixed += len(left)
        what = f"{story.rewrites} rewrite{'s' * (story.rewrites != 1)}, {story.rule_fixes} rule fix{'es' * (story.rule_fixes != 1)}"
        if story.transforms:  # which offline repairs made the rewrites
            what += f" (repairs: {', '.join(story.transforms)})"
        click.echo(f"{story.path}: {what}{' -> ' + where if where else ''}; {len(story.remaining)} finding{'s' * (len(story.remaining) != 1)} left for an editor", err=True)

    click.echo(
        f"{totals['changed']} of {totals['files']} file{'s' * (totals['files'] != 1)} changed: "
        f"{totals['rewrites']} rewrite{'s' * (totals['rewrites'] != 1)}, "
        f"{totals['rule_fixes']} rule fix{'es' * (totals['rule_fixes'] != 1)} applied"
        + (f"; {errors} error{'s' * (errors != 1)}" if errors else "") + ".",
        err=True,
    )
    if fix_off:
        # Say where the setting came from: the flag, the config, or both.
        named = ([f"--unfixable {','.join(unfixable_flag)}"] if unfixable_flag else []) + (
            [f"`unfixable = {json.dumps(configured)}` in {cfg.path or 'the config'}"] if configured else [])
        click.echo(f"{fix_off} finding{'s' * (fix_off != 1)} not fixable: {' and '.join(named)} "
                   f"turn{'s' * (len(named) == 1)} their fixes off", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if unfixed else EXIT_OK)


class _WriteError(Exception):
    pass


def _by_file(results):
    """The scan results grouped by the file they were read from: the items of a feed or a news
    message (consecutive in discovery order) together, every other story on its own."""
    from mtcheck.readers import split_name

    def file_of(r) -> str | None:  # None: a story that is a file on its own
        src = r.document.source if r.document is not None else None
        if src is not None:
            return src.file if src.item is not None else None
        return split_name(r.path)[0] if r.error is not None else None

    group: list = []
    key = None
    for r in results:
        k = file_of(r)
        if group and (k is None or k != key):
            yield group
            group = []
        group.append(r)
        key = k
    if group:
        yield group


def _common_root(paths) -> str:
    """The folder the output tree mirrors: the common folder of the inputs (a folder named on
    the command line counts as itself, a file as its folder)."""
    folders = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives
        return folders[0]


def _encode(text: str, encoding: str, path: str) -> tuple[bytes, str]:
    """The story's bytes in the encoding it was read in, BOM and byte order included. Text that
    no longer fits it (a fix brought in a character the code page lacks) is refused: silently
    writing another encoding would break whoever reads the file next."""
    from mtcheck.reader import EncodingError, encode_story

    try:
        return encode_story(text, encoding), encoding
    except EncodingError as e:
        if not _allow_encoding_change:
            raise _WriteError(f"{e}; not written (--allow-encoding-change writes it as UTF-8)") from None
        warn(f"{path}: {e}; written as UTF-8 (--allow-encoding-change)")
        return text.encode("utf-8"), "utf-8"


class _Inputs:
    """The stories being fixed, by real path and by device/inode (a hard link, a bind mount)."""

    def __init__(self, paths):
        self.by_real: dict[str, str] = {}
        self.by_id: dict[tuple[int, int], str] = {}
        for p in paths:
            self.by_real.setdefault(os.path.realpath(p), p)
            try:
                st = os.stat(p)
            except OSError:
                continue
            self.by_id.setdefault((st.st_dev, st.st_ino), p)

    def hit(self, target) -> str | None:
        """The input that writing ``target`` would overwrite, if any."""
        real = os.path.realpath(target)
        if real in self.by_real:
            return self.by_real[real]
        try:
            st = os.stat(real)
        except OSError:
            return None
        return self.by_id.get((st.st_dev, st.st_ino))


def _outputs(path: str, root: str, out_dir: str) -> tuple[Path, Path]:
    """The cleaned copy of ``path`` under ``out_dir`` and the diff beside it."""
    target = Path(out_dir) / os.path.relpath(os.path.abspath(path), root)
    return target, target.with_name(target.name + ".diff")


MAX_BACKUPS = 1000


def _is_read_only(path: str, st: os.stat_result) -> bool:
    """By the mode bits, so that root (whom no permission stops) is held back too."""
    return not (st.st_mode & 0o222) or not os.access(path, os.W_OK)


def _backup(path: str, original: bytes, st: os.stat_result) -> str:
    """Write the original to the first free name of <path>.bak, <path>.bak.1, ... with the
    original's mode, owner and times; never replace an existing file."""
    from mtcheck.fsutil import atomic_write

    for n in range(MAX_BACKUPS):
        bak = f"{path}.bak" + (f".{n}" if n else "")
        if os.path.lexists(bak):
            continue
        try:
            atomic_write(bak, original, like=st, keep_times=True, exclusive=True)
        except FileExistsError:  # taken since we looked
            continue
        return bak
    raise _WriteError(f"{path}.bak through {path}.bak.{MAX_BACKUPS - 1} all exist; clear some backups first")


def _write(story, encoding: str, root: str, out_dir: str | None, in_place: bool, *, force: bool = False,
           inputs: "_Inputs | None" = None) -> str | None:
    """Write one fixed story. In place: a backup first (never replacing an old one), then the
    story through any symlink to its target, keeping mode and owner, and, when the file has
    other hard links, rewritten within the same file so that every name sees the fix. To
    --out: the copy and its diff, refused where either would land on an input."""
    from mtcheck.fsutil import atomic_write
    from mtcheck.report.diff import patch_path, unified_diff

    rel = os.path.relpath(os.path.abspath(story.path), root)
    data, _ = _encode(story.text, encoding, story.path)
    # (a wire story's applied changes are offsets into its own text, not the file's: unified_diff
    # finds that they do not make the one from the other and aligns the lines instead)
    diff = unified_diff(patch_path(rel), story.original, story.text, changes=story.applied)
    try:
        if in_place:
            if not story.changed:
                return None
            from mtcheck.reader import InputError, decode

            st = os.stat(story.path)
            if _is_read_only(story.path, st) and not force:
                raise _WriteError(f"read-only (mode {stat.S_IMODE(st.st_mode):04o}); not rewritten (--force rewrites it, keeping the mode)")
            original = Path(story.path).read_bytes()
            try:
                unchanged = decode(original, story.path).text == story.original
            except InputError:
                unchanged = False
            if not unchanged:
                raise _WriteError("changed on disk since it was read; not rewritten")
            bak = _backup(story.path, original, st)
            atomic_write(story.path, data, keep_links=True)
            return f"{story.path} (backup {bak})"
        target, diff_path = _outputs(story.path, root, out_dir)
        if inputs is not None:
            for t in (target, diff_path):
                hit = inputs.hit(t)
                if hit is not None:
                    raise _WriteError(f"{t} would overwrite the input {hit}; not written")
        atomic_write(target, data)
        if diff:
            atomic_write(diff_path, diff)
        elif diff_path.exists():
            diff_path.unlink()  # a stale diff from an earlier run would lie
        return str(target)
    except OSError as e:
        raise _WriteError(f"cannot write: {e.strerror or e}") from None
