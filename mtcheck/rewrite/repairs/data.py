"""The word lists the repairs read (``mtcheck/data/repairs.toml``), loaded once and validated."""

from __future__ import annotations

from functools import lru_cache

from mtcheck.data import DataError, load_toml, words

DATA_FILE = "repairs.toml"


def _government(value) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        raise ValueError("expected a table of verb = { calqued = english }")
    out = {}
    for verb, preps in value.items():
        if not isinstance(preps, dict) or not all(isinstance(k, str) and isinstance(v, str) and k != v for k, v in preps.items()):
            raise ValueError(f"{verb}: expected {{ calqued = english }} with two different prepositions")
        out[verb] = dict(preps)
    return out


SCHEMA = {
    "government": _government,
    "missing_preposition": {"*": str},
    "lists": {
        "government_exceptions": words,
        "government_with_object": words,
        "institution_heads": words,
        "article_names": words,
        "subordinators": words,
        "impersonal_auxiliaries": words,
        "temporal_adverbs": words,
        "reporting_verbs": words,
        "number_neutral_nouns": words,
        "person_nouns": words,
        "sentential_relative_verbs": words,
    },
}


@lru_cache(maxsize=1)
def repair_data() -> dict:
    data = load_toml(DATA_FILE, SCHEMA)
    if not data["government"]:
        raise DataError(f"{DATA_FILE}: government is empty")
    return data


def word_list(name: str) -> frozenset[str]:
    return repair_data()["lists"][name]
