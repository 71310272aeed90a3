"""What every subcommand shares: exit codes, one-line errors, config and rule options."""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable, Sequence

import click

from mtcheck.config import Config, ConfigError, find_config, load_config
from mtcheck.findings import Severity
from mtcheck.fsutil import printable

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def fail(message: str, code: int = EXIT_ERROR) -> "NoReturn":  # noqa: F821
    """Print one line to stderr and exit: never a traceback for a user's mistake. Control
    characters (from a file name, say) are shown escaped, never sent to the terminal."""
    click.echo(f"mtcheck: error: {printable(message)}", err=True)
    sys.exit(code)


def warn(message: str) -> None:
    click.echo(f"mtcheck: {printable(message)}", err=True)


def config_sections() -> tuple:
    """Every config table besides the top level, as the subsystem that reads it declares it."""
    from mtcheck import quality, review, rewrite
    from mtcheck.gate import policy
    from mtcheck.neural import translate

    return (quality.CONFIG, translate.CONFIG, rewrite.CONFIG, policy.CONFIG, review.CONFIG)


def resolve_config(config_path: str | None, paths: Sequence[str]) -> Config:
    try:
        path = config_path or find_config(paths[0] if paths else os.getcwd())
        # Without a config file there are no tables to check: the subsystems that declare them
        # (quality, gate, review, ...: tens of ms of imports) are not imported for nothing.
        cfg = load_config(path, config_sections()) if path else load_config(None)
        if cfg.gazetteer:
            # Validate the user's gazetteer files now (cached), so a malformed one is a config
            # error with exit 2 rather than a failure in the middle of a scan.
            from mtcheck.gazetteer import load as load_gazetteer

            load_gazetteer(cfg.gazetteer)
        return cfg
    except ConfigError as e:
        fail(str(e))


def build_settings(config_path: str | None, paths: Sequence[str], **flags) -> "Settings":  # noqa: F821
    """The one ``Settings`` of a command: the config file (``--config`` or the nearest one),
    then the flags (``mtcheck.settings.resolve``); the rewrite settings are validated up front
    when rewrites are on. A bad value exits 2 with one line."""
    from mtcheck.settings import SettingsError, resolve

    cfg = resolve_config(config_path, paths)
    try:
        settings = resolve(cfg, **flags)
    except SettingsError as e:
        fail(str(e))
    return check_rewrite(settings) if settings.rewrite else settings


def check_rewrite(settings: "Settings") -> "Settings":  # noqa: F821
    """Validate the rewrite settings and the fix-score model before any model loads."""
    from mtcheck.rewrite import check_settings

    try:
        check_settings(settings.config)
    except ValueError as e:
        where = f"{settings.config.path}: " if settings.config.path else ""
        fail(f"{where}{e}")
    return settings


def rule_options(func: Callable) -> Callable:
    """--config, --select, --ignore, --extend-select, --unfixable, --no-neural, --no-parse."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="Settings file (mtcheck.toml or pyproject.toml). Default: the nearest one above the first PATH."),
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rules: codes, code prefixes or families (entity, style, boilerplate, syntax, language); comma-separated, repeatable. Replaces the configured selection (select, extend-select and ignore)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (same forms as --select); ignore wins ties."),
        click.option("--extend-select", multiple=True, metavar="CODES", help="Add rules to the configured selection."),
        click.option("--unfixable", multiple=True, metavar="CODES",
                     help="Report these rules' findings without their fixes (same forms as --select); added to the config's unfixable."),
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


SEVERITY_CHOICE = click.Choice(["error", "warning", "info", "never"], case_sensitive=False)


def parse_fail_on(value: str | None, cfg: Config) -> Severity | None:
    if value is None:
        return cfg.fail_on
    if value.lower() == "never":
        return None
    return Severity.parse(value)
