"""``mtcheck scan PATH...``: report every problem found in wire stories."""

from __future__ import annotations

import sys

import click

from mtcheck.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    SEVERITY_CHOICE,
    build_settings,
    check_rewrite,
    fail,
    parse_fail_on,
    rule_options,
    warn,
)
from mtcheck.cli.options import translator_options
from mtcheck.report import FORMATS

STDIN = "-"  # the PATH that means standard input, as ruff and most linters spell it
STDIN_FORMAT_CHOICES = ("auto", "plain", "markdown", "ninjs", "newsml", "nitf", "rss", "atom", "html")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@rule_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="concise", show_default=True,
              help="concise: one line per finding (path:line:col: CODE severity [category] message); full: each also with its "
                   "sentence, the span underlined; text: the same as concise; json: the versioned machine-readable report; "
                   "sarif: SARIF 2.1.0 for code-scanning dashboards; html: one self-contained page; github: GitHub Actions "
                   "annotations; rdjson: reviewdog's diagnostic JSON; junit: a JUnit XML test report; gitlab: a GitLab "
                   "code-quality report.")
@click.option("--show-suppressed", is_flag=True,
              help="Also list the findings that suppression comments, per-file-ignores or --baseline took out, marked so "
                   "(concise, full, text, sarif; the JSON report always lists them under files[].suppressed).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Report only findings that are not in this baseline (written by --write-baseline): the problems that are new.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Record every finding of this scan in FILE (atomically) instead of reporting them; exit 0 unless a file "
                   "could not be read. Later scans with --baseline FILE report only new findings.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--include", multiple=True, metavar="GLOB", help="File patterns to take inside folders (default: *.txt, *.md and the wire formats: *.json, *.xml, "
                   "*.nitf, *.rss, *.atom, *.html, *.htm); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="File patterns to skip inside folders; repeatable.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding has at least this severity (default: error, or fail-on in config; 'never' always exits 0 on findings).")
@click.option("--rewrite/--no-rewrite", default=None, help="Propose a scored rewrite for each flagged sentence (back-translation and rule fixes).")
@translator_options
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Instead of a report, print unified diffs (git apply-ready) of the accepted rewrites and safe rule fixes; implies --rewrite unless --no-rewrite or --no-neural.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
              help="Worker processes for the rule work (0: one per core; default 1, or jobs in config). The report is identical to --jobs 1.")
@click.option("--cache/--no-cache", "use_cache", default=None,
              help="Reuse the results of unchanged stories (same text, settings and models) from the result cache (default on; see `mtcheck cache info`).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Base folder of mtcheck's caches: results, converted models (default: cache in config, $MTCHECK_CACHE_DIR, or the user cache folder).")
@click.option("--dask", "dask_address", metavar="ADDRESS", default=None,
              help="Analyse the stories on a Dask cluster: a scheduler address (tcp://host:8786), or local[:N] for N local worker processes. Workers need the same mtcheck installed.")
@click.option("-v", "--verbose", is_flag=True,
              help="List every file inside the folders that was not taken as a story, with the reason (without it, one summary line on stderr).")
@click.option("--stdin-format", type=click.Choice(STDIN_FORMAT_CHOICES), default="auto", show_default=True,
              help="With PATH '-': the format of the story on standard input (auto: recognised from the content, as a file is; "
                   "rss and atom: a feed, one story per item).")
@click.option("--stdin-filename", metavar="NAME", default=None,
              help="With PATH '-': the name to report the story on standard input under (and to match per-file-ignores "
                   "against); default '-'.")
def scan(paths, config_path, select, ignore, extend_select, unfixable, neural, parse, fmt, show_suppressed, baseline_path, write_baseline,
         output, include, exclude, fail_on, rewrite,
         translator_en_ru, translator_ru_en, color,
         show_diff, jobs, use_cache, cache_dir, dask_address, verbose, stdin_format, stdin_filename):
    """Scan wire stories (files or folders, recursively) and report translation damage.

    Each finding has a position (line:col and character offsets), a rule code, a category
    (entity, style, boilerplate, syntax, language), a severity and, where one is known, a
    suggested replacement. Exit codes: 0 nothing at or above --fail-on, 1 findings at or
    above it, 2 usage, configuration or input errors (unreadable, binary, empty files).

    PATH '-' reads one story (or a feed of several) from standard input; see --stdin-format
    and --stdin-filename.
    """
    from mtcheck.engine import Scanner

    reading_stdin = STDIN in paths
    if reading_stdin and len(paths) > 1:
        fail("'-' (standard input) cannot be combined with other paths")
    if not reading_stdin and (stdin_filename is not None or stdin_format != "auto"):
        fail("--stdin-format and --stdin-filename apply to PATH '-' (standard input) only")
    settings = build_settings(
        config_path, paths, select=select, ignore=ignore, extend_select=extend_select, unfixable=unfixable, neural=neural, parse=parse,
        rewrite=rewrite, include=include, exclude=exclude, jobs=jobs, cache=use_cache, cache_dir=cache_dir,
        dask=dask_address, translator_en_ru=translator_en_ru, translator_ru_en=translator_ru_en,
    )
    if show_diff and rewrite is None and settings.neural and not settings.rewrite:
        # The diff is of the rewrites; with --no-neural (or --no-rewrite), of the rule fixes alone.
        settings = check_rewrite(settings.but(rewrite=True))
    threshold = parse_fail_on(fail_on, settings.config)
    known = _load_baseline(baseline_path) if baseline_path and not write_baseline else None
    scanner = Scanner(settings)
    if reading_stdin:
        results = _run_stdin(scanner, stdin_format, stdin_filename)
    else:
        results = _run(scanner, paths)
        _report_skipped(paths, settings, verbose)

    for r in results:
        if r.error is not None:
            warn(f"{r.path}: {r.error.message}")
    if write_baseline:
        _write_baseline(results, write_baseline)
        sys.exit(EXIT_ERROR if any(r.error is not None for r in results) else EXIT_OK)
    if known is not None:
        counts = known.apply(results)
        if counts["fixed"]:
            warn(f"baseline: {counts['fixed']} of its findings are gone from these files (fixed); "
                 f"--write-baseline {known.path} records the current state")
    if fmt == "json" and not show_diff and (output or _byte_stdout() is not None):
        _write_json(results, scanner, output)
    else:
        _write_rendered(_render("diff" if show_diff else fmt, results, scanner, color, output, show_suppressed),
                        output, color)

    if any(r.error is not None for r in results):
        sys.exit(EXIT_ERROR)
    if threshold is not None and any(f.severity >= threshold for r in results for f in r.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


# -- output -----------------------------------------------------------------------------------

def _write_rendered(rendered: str, output, color) -> None:
    if output:
        from mtcheck.fsutil import atomic_write

        try:
            atomic_write(output, rendered)
        except OSError as e:
            fail(f"{output}: cannot write report: {e.strerror or e}")
    else:
        # --color keeps the styles on a pipe too. Without it, click takes escape sequences out of
        # what does not go to a terminal: a regex over the whole report (60 MB of JSON for a story
        # of 200,000 short lines), skipped where the report holds no escape character at all.
        click.echo(rendered, nl=False, color=True if color is None and "\x1b" not in rendered else color)


def _byte_stdout():
    """Standard output's binary layer, where writing bytes to it in its encoding gives what
    ``click.echo`` of the text gives; None where it has none, or where text mode would turn
    each line break into the system's (Windows)."""
    import os

    if os.linesep != "\n" or sys.stdout is None:
        return None
    return getattr(sys.stdout, "buffer", None)


def _write_json(results, scanner, output) -> None:
    """The JSON report written as it is produced (``report.json.write_report``): to ``output``
    atomically, or to standard output's bytes in its encoding, the bytes ``_write_rendered``
    writes. Colour and click's stripping of escape sequences do not apply: the JSON escaper
    writes every control character as \\u00XX, so the report holds no escape character."""
    from mtcheck.report.json import write_report

    signature = scanner.signature()
    if output:
        from mtcheck.fsutil import atomic_writer

        try:
            with atomic_writer(output) as fh:
                write_report(fh, results, signature)
        except OSError as e:
            fail(f"{output}: cannot write report: {e.strerror or e}")
        return
    stdout = sys.stdout
    stdout.flush()  # whatever its text layer holds goes first
    binary = stdout.buffer
    write_report(binary, results, signature, encoding=stdout.encoding or "utf-8", errors=stdout.errors or "strict")
    binary.flush()


# -- input: standard input and the files left out --------------------------------------------

def _run_stdin(scanner, stdin_format: str, stdin_filename: str | None) -> list:
    """The story on standard input, checked by the same pipeline as a file and reported as
    a file of that name would be. Input that holds no story is one line, exit 2."""
    from mtcheck.engine import FileResult
    from mtcheck.reader import MAX_BYTES, STDIN_FORMATS, InputError, stdin_documents

    name = stdin_filename or ("-.md" if stdin_format == "markdown" else STDIN)
    try:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    except OSError as e:
        fail(f"standard input: cannot read: {e.strerror or e}")
    try:
        read = stdin_documents(data, name, STDIN_FORMATS[stdin_format])
    except InputError as e:
        fail(f"{'standard input' if e.path in (STDIN, name) and not stdin_filename else e.path}: {e.message}")
    docs = [doc for _, doc, _ in read if doc is not None]
    try:
        scanner.pipeline.run(docs)
    except Exception as e:
        from mtcheck.neural.parse import ParseUnavailable

        if isinstance(e, ParseUnavailable):
            fail(str(e))
        raise
    return [FileResult(path=path, document=doc, error=error) for path, doc, error in read]


def _skip_kind(reason: str) -> str:
    for start, kind in (("an mtcheck report", "mtcheck report"), ("not a story type", "not a story type"),
                        ("excluded", "excluded")):
        if reason.startswith(start):
            return kind
    return "not a story format"  # a .json/.xml file that is no wire format


def _report_skipped(paths, settings, verbose: bool) -> None:
    """One line per folder on stderr: how many files in it were not taken, and why;
    ``--verbose`` lists each (and the hidden folders left out)."""
    import os
    from collections import Counter

    from mtcheck.reader import skipped_files

    for p in paths:
        if not os.path.isdir(p):
            continue
        skipped = skipped_files([p], settings.include, settings.exclude)
        files = [(path, why) for path, why in skipped if why != "hidden folder"]
        if verbose:
            for path, why in skipped:
                warn(f"skipped {path}: {why}")
        if not files:
            continue
        kinds = Counter(_skip_kind(why) for _, why in files)
        detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        tail = "" if verbose else "; --verbose lists them"
        warn(f"{len(files)} file{'s' * (len(files) != 1)} skipped under {p} ({detail}){tail}")


def _render(fmt, results, scanner, color, output, show_suppressed=False) -> str:
    import importlib

    module = importlib.import_module(f"mtcheck.report.{fmt}")
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    return module.render(results, signature=scanner.signature(), color=use_color, show_suppressed=show_suppressed)


def _load_baseline(path):
    from mtcheck.baseline import Baseline, BaselineError

    try:
        return Baseline.load(path)
    except BaselineError as e:
        fail(str(e))


def _write_baseline(results, path) -> None:
    from mtcheck.baseline import BaselineError, write

    try:
        data = write(results, path)
    except BaselineError as e:
        fail(str(e))
    warn(f"baseline: {data['findings']} finding{'s' if data['findings'] != 1 else ''} in {len(data['files'])} "
         f"file{'s' if len(data['files']) != 1 else ''} written to {path}")


def _run(scanner, paths) -> list:
    from mtcheck.progress import Progress

    try:
        with Progress("scan") as progress:
            return list(scanner.scan(paths, progress=progress))
    except Exception as e:
        from mtcheck.distributed import ClusterError
        from mtcheck.neural.parse import ParseUnavailable

        if isinstance(e, (ClusterError, ParseUnavailable)):
            fail(str(e))
        raise
