"""The ``mtcheck`` command. Subcommands live one per module and are imported only when
called, so ``mtcheck --help`` and rules-only scans never import torch or transformers."""

from __future__ import annotations

import importlib
import importlib.util

import click

from mtcheck import __version__, tune_collector

# name -> "module:attribute"; one line per subcommand.
COMMANDS = {
    "scan": "mtcheck.cli.scan:scan",
    "rules": "mtcheck.cli.rules_cmd:rules",
    "score": "mtcheck.cli.score:score",
    "models": "mtcheck.cli.models_cmd:models",
    "fix": "mtcheck.cli.fix:fix",
    "review": "mtcheck.cli.review:review",
    "gate": "mtcheck.cli.gate:gate",
    "cache": "mtcheck.cli.cache_cmd:cache",
    "lsp": "mtcheck.cli.lsp:lsp",
}

HELP = """Check machine-translated English news copy for translation damage.

\b
Exit codes (scan, gate, score):
  0  nothing at or above the failure threshold
  1  findings at or above it (gate: some stories sent to review or rejected)
  2  usage, configuration or input errors
"""


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx, name):
        if name not in COMMANDS or not self._available(name):
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="mtcheck")
def cli() -> None:
    pass


def main() -> None:
    tune_collector()
    cli(prog_name="mtcheck")
