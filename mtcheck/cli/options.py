"""Command-line options shared by ``scan --rewrite`` and ``fix``: which translation models to
use (the flags land in ``Settings`` through ``mtcheck.settings.resolve``)."""

from __future__ import annotations

from typing import Callable

import click


def translator_options(func: Callable) -> Callable:
    """--translator-en-ru, --translator-ru-en."""
    func = click.option(
        "--translator-ru-en", default=None, metavar="ID|DIR",
        help="Russian->English model for back-translation: a Hugging Face hub id or a local directory "
             "(default: translation.ru-en in config, $MTCHECK_TRANSLATOR_RU_EN, Helsinki-NLP/opus-mt-ru-en).",
    )(func)
    func = click.option(
        "--translator-en-ru", default=None, metavar="ID|DIR",
        help="English->Russian model for back-translation (default: translation.en-ru in config, "
             "$MTCHECK_TRANSLATOR_EN_RU, Helsinki-NLP/opus-mt-en-ru).",
    )(func)
    return func
