"""``mtcheck scan PATH...``: report every problem found in wire stories."""

from __future__ import annotations

import sys

import click

from mtcheck.cli.common import (
    EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SEVERITY_CHOICE, apply_rule_options, fail, parse_fail_on,
    resolve_config, rule_options, split_list, warn,
)
from mtcheck.report import FORMATS


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@rule_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: one line per finding; json: the versioned machine-readable report; sarif: SARIF 2.1.0 for code-scanning dashboards; html: one self-contained page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--include", multiple=True, metavar="GLOB", help="File patterns to take inside folders (default: *.txt, *.md); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="File patterns to skip inside folders; repeatable.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding has at least this severity (default: error, or fail-on in config; 'never' always exits 0 on findings).")
@click.option("--rewrite/--no-rewrite", default=None, help="Propose a scored rewrite for each flagged sentence (back-translation and rule fixes).")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: only on a terminal).")
def scan(paths, config_path, select, ignore, extend_select, neural, parse, fmt, output, include, exclude, fail_on, rewrite, color):
    """Scan wire stories (files or folders, recursively) and report translation damage.

    Each finding has a position (line:col and character offsets), a rule code, a category
    (entity, style, boilerplate, syntax, language), a severity and, where one is known, a
    suggested replacement. Exit codes: 0 nothing at or above --fail-on, 1 findings at or
    above it, 2 usage, configuration or input errors (unreadable, binary, empty files).
    """
    from mtcheck.engine import ScanOptions, Scanner

    cfg = resolve_config(config_path, paths)
    cfg = apply_rule_options(cfg, select, ignore, extend_select, neural, parse)
    threshold = parse_fail_on(fail_on, cfg)
    if rewrite is not None:
        cfg.rewrite = rewrite
    options = ScanOptions(
        neural=cfg.neural,
        parse=cfg.parse,
        rewrite=cfg.rewrite,
        include=split_list(include) or cfg.include or ("*.txt", "*.md"),
        exclude=split_list(exclude) or cfg.exclude,
    )
    scanner = Scanner(cfg, options)
    results = list(scanner.scan(paths))

    for r in results:
        if r.error is not None:
            warn(f"{r.path}: {r.error.message}")
    rendered = _render(fmt, results, scanner, color, output)
    if output:
        from mtcheck.fsutil import atomic_write

        try:
            atomic_write(output, rendered)
        except OSError as e:
            fail(f"{output}: cannot write report: {e.strerror or e}")
    else:
        click.echo(rendered, nl=False)

    if any(r.error is not None for r in results):
        sys.exit(EXIT_ERROR)
    if threshold is not None and any(f.severity >= threshold for r in results for f in r.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _render(fmt, results, scanner, color, output) -> str:
    import importlib

    module = importlib.import_module(f"mtcheck.report.{fmt}")
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    return module.render(results, signature=scanner.signature(), color=use_color)
