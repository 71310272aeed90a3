"""What every subcommand shares: exit codes, one-line errors, config and rule options."""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable, Sequence

import click

from mtcheck.config import Config, ConfigError, find_config, load_config
from mtcheck.findings import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def fail(message: str, code: int = EXIT_ERROR) -> "NoReturn":  # noqa: F821
    """Print one line to stderr and exit: never a traceback for a user's mistake."""
    click.echo(f"mtcheck: error: {message}", err=True)
    sys.exit(code)


def warn(message: str) -> None:
    click.echo(f"mtcheck: {message}", err=True)


def resolve_config(config_path: str | None, paths: Sequence[str]) -> Config:
    try:
        if config_path:
            cfg = load_config(config_path)
        else:
            cfg = load_config(find_config(paths[0] if paths else os.getcwd()))
        if cfg.gazetteer:
            # Validate the user's gazetteer files now (cached), so a malformed one is a config
            # error with exit 2 rather than a failure in the middle of a scan.
            from mtcheck.gazetteer import load as load_gazetteer

            load_gazetteer(cfg.gazetteer)
        return cfg
    except ConfigError as e:
        fail(str(e))


def split_list(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def rule_options(func: Callable) -> Callable:
    """--config, --select, --ignore, --extend-select, --no-neural, --no-parse."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="Settings file (mtcheck.toml or pyproject.toml). Default: the nearest one above the first PATH."),
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rules: codes, code prefixes or families (entity, style, boilerplate, syntax, language); comma-separated, repeatable. Replaces the configured selection (select, extend-select and ignore)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (same forms as --select); ignore wins ties."),
        click.option("--extend-select", multiple=True, metavar="CODES", help="Add rules to the configured selection."),
        click.option("--neural/--no-neural", default=None,
                     help="Score sentences with the neural fluency model (default on). --no-neural keeps the rules-only path: no model weights, no torch import."),
        click.option("--parse/--no-parse", default=None,
                     help="Use the spaCy parse for the syntax rules (default: on with --neural, off with --no-neural)."),
    ]
    for opt in reversed(options):
        func = opt(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def apply_rule_options(cfg: Config, select, ignore, extend_select, neural, parse) -> Config:
    from mtcheck.rules import SelectorError, validate_selectors

    if select:
        # As in ruff, a --select on the command line starts the selection afresh: the
        # config's select, extend-select and ignore give way (--ignore below still applies).
        cfg.select = split_list(select)
        cfg.ignore = []
        cfg.extend_select = []
    if ignore:
        cfg.ignore = cfg.ignore + split_list(ignore)
    if extend_select:
        cfg.extend_select = cfg.extend_select + split_list(extend_select)
    if neural is not None:
        cfg.neural = neural
    cfg.parse = parse if parse is not None else (cfg.parse and cfg.neural)
    try:
        validate_selectors(cfg.select + cfg.ignore + cfg.extend_select + list(cfg.severity))
    except SelectorError as e:
        where = f"{cfg.path}: " if cfg.path else ""
        fail(f"{where}{e}")
    return cfg


SEVERITY_CHOICE = click.Choice(["error", "warning", "info", "never"], case_sensitive=False)


def parse_fail_on(value: str | None, cfg: Config) -> Severity | None:
    if value is None:
        return cfg.fail_on
    if value.lower() == "never":
        return None
    return Severity.parse(value)
