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
when a word is first looked up in it).
"""

from __future__ import annotations

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
        rows = _table(self.russian_file, 5)
        _check_kinds(self.russian_file, rows, KINDS)
        # Rows come most important first (hand-made clipped compounds, then by count): the first
        # form of a key keeps it (the dict is built from the last row back).
        keys = {rows[i][4]: i for i in range(len(rows) - 1, -1, -1) if rows[i][2] != "acronym"}
        acronym_rows = tuple(i for i, r in enumerate(rows) if r[2] == "acronym")
        return rows, keys, acronym_rows

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
def _english_by_kind() -> tuple[frozenset[str], frozenset[str]]:
    rows = _table(ENGLISH_FILE, 3)
    return (frozenset(r[0] for r in rows if r[2] == "word" and r[1] != "0"),
            frozenset(r[0] for r in rows if r[2] == "name"))


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
    erows = _table(ENGLISH_FILE, 3)
    _check_kinds(ENGLISH_FILE, erows, ENGLISH_KINDS)
    english = frozenset([*(r[0] for r in erows if r[2] != "acronym"), *_loanwords()])
    english_acronyms = frozenset(r[0] for r in erows if r[2] == "acronym")
    kept = frozenset(r[0] for r in erows if r[2] == "acronym" and int(r[1]) >= MIN_KEPT_SIGHTINGS)
    return Lexicon(english, english_acronyms, kept, RUSSIAN_FILE)  # (the module's, as it is now)
