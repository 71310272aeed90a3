"""Command-line options shared by ``scan --rewrite`` and ``fix``: which translation models to
use, and up-front validation of the rewrite settings (a bad value is exit code 2, before any
model loads)."""

from __future__ import annotations

from typing import Callable

import click

from mtcheck.config import Config


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


def apply_translator_options(cfg: Config, translator_en_ru: str | None, translator_ru_en: str | None) -> Config:
    """Put the flags into the ``translation`` table (flags beat config keys, which beat the
    environment variables) and validate the rewrite settings; exits 2 on a bad value."""
    from mtcheck.cli.common import fail
    from mtcheck.rewrite import check_settings

    section = dict(cfg.section("translation"))
    if translator_en_ru:
        section["en-ru"] = translator_en_ru
    if translator_ru_en:
        section["ru-en"] = translator_ru_en
    if section:
        cfg.sections["translation"] = section
    try:
        check_settings(cfg)
    except ValueError as e:
        where = f"{cfg.path}: " if cfg.path else ""
        fail(f"{where}{e}")
    return cfg
