"""The Russian and English word lists of the E106 detector (Latin words that read as Russian).

Data, not code: ``mtcheck/data/russian/russian.tsv`` (Russian word forms from Russian news
with their counts, kinds and, where known, the English the translators used) and
``mtcheck/data/russian/english.tsv`` (words and acronyms as English news writes them), both
built by ``scripts/build_russian_lexicon.py`` (which also folds in the English vocabulary of
``mtcheck/data/wordfreq.tsv``).

Russian forms are indexed by their scheme-blind key (``translit.skeleton_cyrillic``): a Latin
word is looked up with one dict probe per key (``translit.skeletons_latin``), whatever scheme
produced it. Acronyms are indexed by their letter-by-letter renderings
(``translit.acronym_variants``). Loaded once per process, on first use (the Russian side
when a word is first looked up in it); the English side's lists, as built, are kept in
mtcheck's cache folder (see "the lexicon cache" below).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from mtcheck import translit
from mtcheck.data import DATA_DIR, DataError

RUSSIAN_FILE = DATA_DIR / "russian" / "russian.tsv"
ENGLISH_FILE = DATA_DIR / "russian" / "english.tsv"
LOANWORDS_FILE = DATA_DIR / "russian" / "loanwords.tsv"  # hand-made: Russian words English uses (okrug)
ADDRESS_FILE = DATA_DIR / "russian" / "address_words.tsv"  # hand-made: street words of addresses (ulitsa)
LEGAL_FORMS_FILE = DATA_DIR / "russian" / "legal_forms.tsv"  # hand-made: ООО, ПАО, ФГУП → LLC, PJSC, FSUE
# hand-made: the words of places no Russian region or district is called (Harju County, Aargau Canton)
FOREIGN_PLACE_FILE = DATA_DIR / "russian" / "foreign_place_words.tsv"
RENDERING_FILE = DATA_DIR / "russian" / "rendering_trigrams.tsv"  # scripts/build_rendering_model.py
KINDS = ("name", "word", "acronym", "clipped")
ENGLISH_KINDS = ("word", "name", "acronym")
MIN_KEPT_SIGHTINGS = 2
KIND_NAMES = {"name": "name", "word": "word", "acronym": "acronym", "clipped": "clipped compound"}


@dataclass(frozen=True)
class RussianForm:
    ru: str  # as the corpus writes it (lower case; an acronym in capitals)
    count: int
    kind: str  # name | word | acronym | clipped
    en: str = ""  # the English form translators used, where known

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass
class Lexicon:
    english: frozenset[str]  # matching keys of English words and names
    english_acronyms: frozenset[str]
    # Acronyms the professional translators wrote at least ``MIN_KEPT_SIGHTINGS`` times: for a
    # Russian one (RF, MVD, RBK) the letter-by-letter form is professional usage too (E108).
    kept_acronyms: frozenset[str] = frozenset()
    russian_file: Path = RUSSIAN_FILE

    # The Russian side (russian.tsv, 40,000 rows) is read on first use: only E106 looks words
    # up in it, and only for a Latin word English news does not write; the other rules need the
    # English side alone.
    @cached_property
    def _russian(self) -> tuple[list[list[str]], dict[str, int], tuple[int, ...]]:
        # (Not kept in the cache as the English side is: reading 200,000 cells back takes as
        # long as splitting them out of the file.)
        side = _russian_side(self.russian_file)
        return side["rows"], side["keys"], tuple(side["acronym_rows"])

    @property
    def rows(self) -> list[list[str]]:
        """russian.tsv: form, count, kind, English, key."""
        return self._russian[0]

    @property
    def keys(self) -> dict[str, int]:
        """Scheme-blind key → its row (the first, most important, form)."""
        return self._russian[1]

    @property
    def acronym_rows(self) -> tuple[int, ...]:
        return self._russian[2]

    def lookup(self, key: str) -> RussianForm | None:
        i = self._russian[1].get(key)
        return None if i is None else self._form(i)

    def _form(self, i: int) -> RussianForm:
        ru, count, kind, en, _ = self._russian[0][i]
        return RussianForm(ru, int(count), kind, en)

    @property
    def acronyms(self) -> dict[str, RussianForm]:
        """Letter-by-letter rendering (capitals) → Russian acronym, the most frequent first;
        built on first use (only a story with an unknown all-capitals word needs it)."""
        index = self.__dict__.get("_acronyms")
        if index is None:
            index = {}
            for i in self.acronym_rows:  # most frequent first: a rendering keeps the commonest
                form = self._form(i)
                for latin in translit.acronym_variants(form.ru):
                    index.setdefault(latin, form)
            self.__dict__["_acronyms"] = index
        return index


def _russian_side(path) -> dict:
    """russian.tsv's rows, the index of their keys and the acronyms' rows."""
    rows = _table(path, 5)
    _check_kinds(path, rows, KINDS)
    # Rows come most important first (hand-made clipped compounds, then by count): the first
    # form of a key keeps it (the dict is built from the last row back).
    keys = {rows[i][4]: i for i in range(len(rows) - 1, -1, -1) if rows[i][2] != "acronym"}
    acronym_rows = [i for i, r in enumerate(rows) if r[2] == "acronym"]
    return {"rows": rows, "keys": keys, "acronym_rows": acronym_rows}


def _table(path, columns: int) -> list[list[str]]:
    """The rows of a tab-separated list (``#`` lines are comments), each of ``columns`` cells."""
    try:
        with open(path, encoding="utf-8") as fh:
            rows = [line.split("\t") for line in fh.read().splitlines() if line and line[0] != "#"]
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    bad = next((r for r in rows if len(r) != columns or not r[1].isdigit()), None)
    if bad is not None:
        raise DataError(f"{path}: expected {columns} tab-separated columns, got {chr(9).join(bad)!r}")
    return rows


def _check_kinds(path, rows: list[list[str]], known: tuple[str, ...]) -> None:
    unknown = {r[2] for r in rows} - set(known)
    if unknown:
        raise DataError(f"{path}: unknown kind '{sorted(unknown)[0]}' (known: {', '.join(known)})")


def _word_list(path) -> list[str]:
    """A hand-made list, one word a line (``#`` lines are comments), as matching keys."""
    try:
        with open(path, encoding="utf-8") as fh:
            return [translit.normalize_latin(w.strip()) for w in fh if w.strip() and not w.startswith("#")]
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read ({getattr(e, 'strerror', None) or e})") from None


def _loanwords() -> list[str]:
    return _word_list(LOANWORDS_FILE)


@lru_cache(maxsize=1)
def address_words() -> frozenset[str]:
    """The street words of Russian addresses as transliterated addresses keep them (ulitsa,
    pereulok): a name beside one is part of an address."""
    return frozenset(_word_list(ADDRESS_FILE))


@lru_cache(maxsize=1)
def legal_forms() -> dict[str, RussianForm]:
    """Letter-by-letter rendering (capitals) of a Russian legal form → the form, its English
    acronym as ``en`` ("PAO" → ПАО, PJSC)."""
    try:
        with open(LEGAL_FORMS_FILE, encoding="utf-8") as fh:
            rows = [line.split("\t") for line in fh.read().splitlines() if line and line[0] != "#"]
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{LEGAL_FORMS_FILE}: cannot read ({getattr(e, 'strerror', None) or e})") from None
    bad = next((r for r in rows if len(r) != 2 or not translit.is_acronym(r[0])), None)
    if bad is not None:
        raise DataError(f"{LEGAL_FORMS_FILE}: expected a Russian acronym and its English one, got {chr(9).join(bad)!r}")
    out: dict[str, RussianForm] = {}
    for ru, en in rows:
        for latin in translit.acronym_variants(ru):
            out.setdefault(latin, RussianForm(ru, 0, "acronym", en))
    return out


@lru_cache(maxsize=1)
def foreign_place_words() -> frozenset[str]:
    """The place words English writes after a name of a place outside Russia's kind of regions
    ("Harju County", "Aargau Canton"): the name before one is that country's spelling."""
    return frozenset(_word_list(FOREIGN_PLACE_FILE))


@lru_cache(maxsize=1)
def _english_rows() -> list[list[str]]:
    """english.tsv's rows, read once per process: ``load`` and the word and name lists below
    all read it (59,000 rows; reading and splitting them twice cost a twentieth of a second)."""
    rows = _table(ENGLISH_FILE, 3)
    _check_kinds(ENGLISH_FILE, rows, ENGLISH_KINDS)
    return rows


ENGLISH_LISTS = ("english", "english_acronyms", "kept_acronyms", "running_words", "names")


def _english_side_data() -> dict[str, list[str]]:
    """The English side's lists (``ENGLISH_LISTS``, from english.tsv and the loanwords)."""
    rows = _english_rows()
    return {"english": [*(r[0] for r in rows if r[2] != "acronym"), *_loanwords()],
            "english_acronyms": [r[0] for r in rows if r[2] == "acronym"],
            "kept_acronyms": [r[0] for r in rows if r[2] == "acronym" and int(r[1]) >= MIN_KEPT_SIGHTINGS],
            "running_words": [r[0] for r in rows if r[2] == "word" and r[1] != "0"],
            "names": [r[0] for r in rows if r[2] == "name"]}


@lru_cache(maxsize=1)
def _english_side() -> dict[str, frozenset[str]]:
    side = _cached("english", (ENGLISH_FILE, LOANWORDS_FILE), _english_side_data, ENGLISH_LISTS)
    return {name: frozenset(words) for name, words in side.items()}


def _english_by_kind() -> tuple[frozenset[str], frozenset[str]]:
    side = _english_side()
    return side["running_words"], side["names"]


def english_running_words() -> frozenset[str]:
    """The keys English news writes in lower case as words (kind word, seen in the corpora; not the
    bare vocabulary of wordfreq.tsv, which also holds acronyms such as "wto")."""
    return _english_by_kind()[0]


def english_names() -> frozenset[str]:
    """The keys English news writes as names and never as common words (kind name of english.tsv)."""
    return _english_by_kind()[1]


@lru_cache(maxsize=1)
def rendering_weights() -> dict[str, int]:
    """Letter trigram → log-odds x 100 of a Russian-style rendering against English news spelling
    (``scripts/build_rendering_model.py``); a trigram not listed weighs 0."""
    try:
        with open(RENDERING_FILE, encoding="utf-8") as fh:
            rows = [line.split("\t") for line in fh.read().splitlines() if line and line[0] != "#"]
        return {t: int(w) for t, w in rows}
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataError(f"{RENDERING_FILE}: cannot read ({getattr(e, 'strerror', None) or e})") from None


def rendering_score(key: str) -> int:
    """How much more a word's letters (a matching key) look like a Russian-style rendering than
    like English news spelling: the sum of its trigrams' weights."""
    weights = rendering_weights()
    s = f"^{key}$"
    return sum(weights.get(s[i:i + 3], 0) for i in range(len(s) - 2))


@lru_cache(maxsize=1)
def load() -> Lexicon:
    side = _english_side()
    return Lexicon(side["english"], side["english_acronyms"], side["kept_acronyms"],
                   RUSSIAN_FILE)  # (the module's, as it is now)


# -- the lexicon cache -----------------------------------------------------------------------
# Reading the English side splits english.tsv's 59,000 rows into their cells and sorts the
# words into five lists: 0.06 s of CPU in every process that checks a story (E106 runs by
# default), where reading the lists back as Python's values takes half that. The side, as built,
# is kept in the cache base folder (``mtcheck.locations``) the way the gazetteer keeps its
# index: a file named by a hash of everything it is built from (the lists' bytes, the code of
# this module and of ``mtcheck.translit``, which folds the loanwords, and the Python version),
# so a changed list is never answered by an old file; stored as Python's plain types only
# (``mtcheck.codec``: loading builds values and runs no code). A file that is missing,
# unreadable, not of this format or not of this key is ignored and built again; a folder that
# cannot be written only costs the next process the build.
LEXICON_CACHE_FORMAT = 1
LEXICON_CACHE_FOLDER = "lexicon"
LEXICON_CACHE_KEEP = 4  # files kept per side, the least recently used removed
MAX_LEXICON_CACHE_BYTES = 64 * 1024 * 1024


def _cache_key(side: str, sources: tuple) -> str | None:
    """The hash naming a side's stored file; None when a source cannot be read (the build
    then says why)."""
    from mtcheck.locations import sources_digest

    return sources_digest(f"{LEXICON_CACHE_FORMAT}\0{side}\0{sys.version}\0",
                          (Path(__file__), Path(translit.__file__), *sources))


def _cache_path(side: str, key: str) -> Path:
    from mtcheck.locations import cache_base

    return cache_base() / LEXICON_CACHE_FOLDER / f"{key}.{side}"


def _cached(side: str, sources: tuple, build, lists: tuple[str, ...]) -> dict[str, list]:
    """A side's plain data, the lists named ``lists``: read back from its stored file, else
    ``build()`` and stored. A stored file with other contents is built over."""
    key = _cache_key(side, sources)
    if key is not None:
        stored = _read_side(side, key)
        if stored is not None and set(stored) == set(lists):
            return stored
    data = build()
    if key is not None:
        _write_side(side, key, data)
    return data


def _read_side(side: str, key: str) -> dict | None:
    from mtcheck.locations import read_kept

    payload = read_kept(_cache_path(side, key), MAX_LEXICON_CACHE_BYTES)
    data = payload.get("data") if type(payload) is dict else None
    if (data is None or payload.get("format") != LEXICON_CACHE_FORMAT or payload.get("key") != key
            or type(data) is not dict or not all(type(v) is list for v in data.values())):
        return None
    return data


def _write_side(side: str, key: str, data: dict) -> None:
    from mtcheck.locations import write_kept

    write_kept(_cache_path(side, key), {"format": LEXICON_CACHE_FORMAT, "key": key, "data": data},
               LEXICON_CACHE_KEEP, "*." + side)
