"""``mtcheck lsp``: the language server for editors, over stdin/stdout (``mtcheck.lsp``)."""

from __future__ import annotations

import os
import sys

import click

from mtcheck.cli.common import config_sections, fail


@click.command()
@click.option("--stdio", is_flag=True, help="Speak LSP over stdin/stdout: the only transport, and the default "
                                            "(accepted because editor clients pass it).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Settings file for every document. Default: the nearest mtcheck.toml (or pyproject.toml with "
                   "[tool.mtcheck]) above each document, re-read when it changes.")
@click.option("--neural-on-save", is_flag=True, default=False,
              help="On save, also run the neural checks (sentence quality score, parse-based syntax rules) in the "
                   "background; the first one loads the models. Also the initialization option neuralOnSave.")
def lsp(stdio, config_path, neural_on_save):
    """Run a language server: diagnostics for .txt and .md stories as they are edited.

    Rules only on every change (a few milliseconds a story), quick fixes for the safe rule
    fixes, and a "disable for this line" action that inserts a suppression comment. Start it
    from the editor (see README, "Editors"); it reads LSP messages on stdin and writes them on
    stdout until the client sends exit. Exit codes: 0 after shutdown and exit, 1 on exit without
    shutdown, 2 for a bad --config.
    """
    from mtcheck.config import ConfigError, load_config

    sections = config_sections()
    if config_path:
        try:  # named by the user: a bad one is refused now, not shown on every story
            load_config(config_path, sections)
        except ConfigError as e:
            fail(str(e))
    try:
        from mtcheck.lsp import serve
    except ImportError as e:
        fail(f"the language server needs pygls ({e}); pip install 'pygls>=2'")
    if sys.stdin.isatty():
        click.echo("mtcheck lsp: a language server; it talks LSP on stdin/stdout. Start it from an editor "
                   "(README, \"Editors\"); Ctrl-D ends it.", err=True)
    # The protocol owns stdout: anything else written there (a library's print, a C extension's
    # log line on file descriptor 1) would corrupt the stream, so fd 1 goes to stderr and the
    # protocol writes to a duplicate of the original.
    sys.stdout.flush()
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.exit(serve(sections, config_path=config_path, neural_on_save=neural_on_save, stdin=sys.stdin.buffer,
                   stdout=protocol_out))
