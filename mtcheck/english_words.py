"""English word lists shared by the syntax and language rules (``mtcheck/data/english.toml``),
loaded once and validated by ``mtcheck.data.load_toml``."""

from __future__ import annotations

from functools import lru_cache

from mtcheck.data import load_toml, words

DATA_FILE = "english.toml"
SCHEMA = {
    "function_words": words,
    "subordinators": words,
    "collective_nouns": words,
    "singular_plurals": words,
    "negation_ok_before": words,
    "past_forms": words,
}


@lru_cache(maxsize=1)
def word_lists() -> dict[str, frozenset[str]]:
    return load_toml(DATA_FILE, SCHEMA)
