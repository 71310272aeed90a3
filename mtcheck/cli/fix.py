"""``mtcheck fix PATH... --out DIR``: cleaned copies of the stories, with a diff per file.

Applies the accepted rewrites and the safe rule fixes (``--unsafe-fixes``: the unsafe ones
too). The originals are never touched unless ``--in-place`` is given, and that only together
with ``--backup`` (``<file>.bak`` is written first). Every write is atomic.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mtcheck.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    SEVERITY_CHOICE,
    apply_rule_options,
    fail,
    parse_fail_on,
    resolve_config,
    rule_options,
    split_list,
    warn,
)
from mtcheck.rewrite.options import apply_translator_options, translator_options


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write the cleaned copies here, mirroring the input tree, each with a unified diff beside it (<file>.diff).")
@click.option("--in-place", is_flag=True, help="Rewrite the files themselves (needs --backup).")
@click.option("--backup", is_flag=True, help="With --in-place: keep the original as <file>.bak.")
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply rule fixes marked unsafe (default: unsafe-fixes in config, else off).")
@rule_options
@translator_options
@click.option("--include", multiple=True, metavar="GLOB", help="File patterns to take inside folders (default: *.txt, *.md); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="File patterns to skip inside folders; repeatable.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding this severe is left unfixed (default: error, or fail-on in config; 'never': always 0).")
def fix(paths, out_dir, in_place, backup, unsafe_fixes, config_path, select, ignore, extend_select, neural, parse,
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
    if in_place and out_dir:
        fail("--out and --in-place do not combine: choose one")
    if not in_place and not out_dir:
        fail("say where the cleaned copies go: --out DIR (or --in-place --backup)")

    from mtcheck.engine import Scanner, ScanOptions
    from mtcheck.rewrite.apply import fix_story

    cfg = resolve_config(config_path, paths)
    cfg = apply_rule_options(cfg, select, ignore, extend_select, neural, parse)
    threshold = parse_fail_on(fail_on, cfg)
    if unsafe_fixes is not None:
        cfg.unsafe_fixes = unsafe_fixes
    cfg.rewrite = True
    cfg = apply_translator_options(cfg, translator_en_ru, translator_ru_en)
    options = ScanOptions(
        neural=cfg.neural, parse=cfg.parse, rewrite=True,
        include=split_list(include) or cfg.include or ("*.txt", "*.md"),
        exclude=split_list(exclude) or cfg.exclude,
    )
    scanner = Scanner(cfg, options)
    root = _common_root(paths)
    if out_dir:
        out_abs = os.path.abspath(out_dir)
        for p in paths:
            p_abs = os.path.abspath(p)
            if out_abs == p_abs or (os.path.isdir(p_abs) and out_abs.startswith(p_abs.rstrip(os.sep) + os.sep)):
                fail(f"--out {out_dir} lies inside the input {p}: choose a folder outside it")

    errors = 0
    unfixed = 0
    totals = {"files": 0, "changed": 0, "rewrites": 0, "rule_fixes": 0}
    for r in scanner.scan(paths):
        if r.error is not None:
            warn(f"{r.path}: {r.error.message}")
            errors += 1
            continue
        story = fix_story(r, unsafe=cfg.unsafe_fixes)
        totals["files"] += 1
        try:
            where = _write(story, r.document.encoding, root, out_dir, in_place)
        except _WriteError as e:
            warn(f"error: {story.path}: {e}")
            errors += 1
            continue
        totals["changed"] += story.changed
        totals["rewrites"] += story.rewrites
        totals["rule_fixes"] += story.rule_fixes
        left = [f for f in story.remaining if threshold is not None and f.severity >= threshold]
        unfixed += len(left)
        what = f"{story.rewrites} rewrite{'s' * (story.rewrites != 1)}, {story.rule_fixes} rule fix{'es' * (story.rule_fixes != 1)}"
        click.echo(f"{story.path}: {what}{' -> ' + where if where else ''}; {len(story.remaining)} finding{'s' * (len(story.remaining) != 1)} left for an editor", err=True)

    click.echo(
        f"{totals['changed']} of {totals['files']} file{'s' * (totals['files'] != 1)} changed: "
        f"{totals['rewrites']} rewrites, {totals['rule_fixes']} rule fixes applied"
        + (f"; {errors} error{'s' * (errors != 1)}" if errors else "") + ".",
        err=True,
    )
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if unfixed else EXIT_OK)


class _WriteError(Exception):
    pass


def _common_root(paths) -> str:
    """The folder the output tree mirrors: the common folder of the inputs (a folder named on
    the command line counts as itself, a file as its folder)."""
    folders = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives
        return folders[0]


def _encode(text: str, encoding: str, path: str) -> tuple[bytes, str]:
    try:
        return text.encode(encoding), encoding
    except (UnicodeEncodeError, LookupError):
        warn(f"{path}: the cleaned text does not fit {encoding}; written as UTF-8")
        return text.encode("utf-8"), "utf-8"


def _write(story, encoding: str, root: str, out_dir: str | None, in_place: bool) -> str | None:
    from mtcheck.fsutil import atomic_write
    from mtcheck.report.diff import patch_path, unified_diff

    rel = os.path.relpath(os.path.abspath(story.path), root)
    data, _ = _encode(story.text, encoding, story.path)
    diff = unified_diff(patch_path(rel), story.original, story.text)
    try:
        if in_place:
            if not story.changed:
                return None
            from mtcheck.reader import InputError, decode

            original = Path(story.path).read_bytes()
            try:
                unchanged = decode(original, story.path).text == story.original
            except InputError:
                unchanged = False
            if not unchanged:
                raise _WriteError("changed on disk since it was read; not rewritten")
            atomic_write(story.path + ".bak", original)
            atomic_write(story.path, data)
            return f"{story.path} (backup {story.path}.bak)"
        target = Path(out_dir) / rel
        atomic_write(target, data)
        diff_path = target.with_name(target.name + ".diff")
        if diff:
            atomic_write(diff_path, diff)
        elif diff_path.exists():
            diff_path.unlink()  # a stale diff from an earlier run would lie
        return str(target)
    except OSError as e:
        raise _WriteError(f"cannot write: {e.strerror or e}") from None
