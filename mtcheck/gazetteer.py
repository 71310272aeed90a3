"""The gazetteer: Russian names in the news with their standard English forms.

Data, not code: ``mtcheck/data/gazetteer/*.tsv`` (format in that folder's README.md) plus the
files a user lists under ``gazetteer = [...]`` in ``[tool.mtcheck]``. Every file is validated
when loaded; a malformed one raises ``ConfigError`` naming the file and line.

Loading builds an index from matching key (``translit.normalize_latin``) to the forms that
produce it: the standard English form, accepted alternatives, expansions of an acronym,
known word-for-word mistranslations, and every Latin rendering of each Russian form
(``translit.variants``, or ``translit.acronym_variants`` for an acronym). A text is then
matched with one dict probe per word n-gram. Loaded gazetteers are cached per process,
keyed by the list of user files (and their modification times).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from mtcheck import translit
from mtcheck.config import ConfigError
from mtcheck.fsutil import read_toml

DATA_DIR = Path(__file__).parent / "data" / "gazetteer"
CUES_FILE = DATA_DIR / "cues.toml"
# Generated from aligned news (scripts/mine_gazetteer.py): loaded after every hand-made and user
# file, and an entry of it that shares a Russian form or an English form with one of those is
# left out, so curation always wins.
MINED_FILE = DATA_DIR / "mined.tsv"

TYPE_NAMES = {
    "org": "organisation", "acronym": "acronym", "outlet": "news outlet", "agency": "news agency",
    "armed-group": "armed group", "place": "place name", "person": "person",
    "name": "name",  # a mined name whose kind (place, firm, ...) is not known
}
TYPES = tuple(TYPE_NAMES)
COLUMNS = ("ru", "en", "type", "also", "expansion", "wrong", "cues", "note")
REQUIRED = ("ru", "en", "type")
LIST_SEP = "|"
CUE_SCOPES = ("near", "document")
# The longest form (one Russian or English name) an entry may hold, in characters: the longest
# real name is about 60 ("All-Russia State Television and Radio Broadcasting Company"). Index
# work grows with a form's length (every prefix of every rendering is stored), so a longer
# one (a pasted paragraph, a broken line) is skipped with a warning naming its file and line.
MAX_FORM_LENGTH = 120

# What produced an index key, strongest first: a key that is a standard or accepted form of
# any entry is never reported as a variant of another.
STANDARD, ALSO, EXPANSION, ACRONYM, VARIANT, WRONG = "standard", "also", "expansion", "acronym", "variant", "wrong"
CANONICAL_KINDS = (STANDARD, ALSO, EXPANSION)


@dataclass(frozen=True)
class CueGroup:
    name: str
    scope: str  # "near": in the mention's sentence; "document": anywhere in the story
    words: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Cues:
    """An entry's context cues, split by scope (words given inline count as "near")."""

    near: tuple[str, ...] = ()
    document: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.near or self.document)


@dataclass(frozen=True, eq=False)
class Entry:
    ru: tuple[str, ...]
    en: str
    type: str
    also: tuple[str, ...] = ()
    expansion: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    cues: Cues = Cues()
    note: str = ""
    source: str = ""  # "file:line", for messages and debugging

    @property
    def kind_name(self) -> str:
        """What the entry is, for messages ("news outlet")."""
        return TYPE_NAMES[self.type]


@dataclass(frozen=True)
class Form:
    """One way an entry can appear in English text."""

    entry: Entry
    kind: str  # STANDARD | ALSO | EXPANSION | ACRONYM | VARIANT | WRONG
    text: str  # the English form, or for ACRONYM/VARIANT the Russian form it renders


@dataclass
class Gazetteer:
    entries: list[Entry] = field(default_factory=list)
    index: dict[str, list[Form]] = field(default_factory=dict)
    cue_groups: dict[str, CueGroup] = field(default_factory=dict)
    max_tokens: int = 1
    prefixes: set[str] = field(default_factory=set)  # every prefix of every key: when to stop extending an n-gram
    skipped: list[str] = field(default_factory=list)  # "file:line: why" for each entry left out

    def lookup(self, key: str) -> list[Form]:
        return self.index.get(key, [])

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self._index(entry, STANDARD, (entry.en,))
        self._index(entry, ALSO, entry.also)
        self._index(entry, ALSO, [v for text in (entry.en, *entry.also) for v in joined_variants(text)])
        self._index(entry, EXPANSION, entry.expansion)
        self._index(entry, WRONG, entry.wrong)
        for ru in entry.ru:
            if translit.is_acronym(ru):
                renderings = translit.acronym_variants(ru)
                kind = ACRONYM
            else:
                renderings = translit.variants(ru)
                kind = VARIANT
            form = Form(entry, kind, ru)
            for key in {translit.normalize_latin(latin) for latin in renderings}:
                if key:
                    self._add_key(key, form)
            # Renderings keep the Russian form's spaces and hyphens (the Arabic article may
            # add one: "Эль-Баб" → "Al-Bab").
            self.max_tokens = max(self.max_tokens, _token_count(ru) + 1)

    def _index(self, entry: Entry, kind: str, texts: Iterable[str]) -> None:
        for text in texts:
            key = translit.normalize_latin(text)
            if key:
                self._add_key(key, Form(entry, kind, text))
                self.max_tokens = max(self.max_tokens, _token_count(text))

    def _add_key(self, key: str, form: Form) -> None:
        if key not in self.index:
            # ``prefixes`` holds every prefix of what it holds: the first prefix (longest first)
            # already there ends the walk, so each prefix is made once, not once per key.
            prefixes, k = self.prefixes, len(key)
            while k and key[:k] not in prefixes:
                prefixes.add(key[:k])
                k -= 1
        forms = self.index.setdefault(key, [])
        # One form per entry, kind and text: two accepted spellings with one key ("Deir Ez Zor",
        # "Deir Ezzor") both stay, so either is recognised as written.
        if not any(f.entry is form.entry and f.kind == form.kind and f.text == form.text for f in forms):
            forms.append(form)


# Joiners English outlets choose both ways, so the other one is an accepted spelling, not a
# house-style slip (E104):
# - between the two parts of an acronym-and-word name ("RIA Novosti", "Zvezda TV"): "RIA-Novosti",
#   as Russian once wrote РИА-Новости ("ITAR-TASS" is the standard form of another); the change
#   of case marks the boundary either way;
# - after the Arabic article that begins a name: "al-Qaida" and "Al Qaida" (the wire agencies
#   hyphenate, the New York Times writes "Al Qaeda", "Al Jazeera"; the curated forms of al-Qaeda
#   list both).
_ACRONYM_AND_WORD = re.compile(r"([A-Z]{2,}[ -][A-Z][a-z]+|[A-Z][a-z]+[ -][A-Z]{2,})")
_LEADING_ARTICLE = re.compile(r"([Aa]l)([ -])(?=[A-Z][a-z])")


def joined_variants(text: str) -> tuple[str, ...]:
    """The other joiner's spelling of a two-part acronym-and-word name ("RIA Novosti" →
    "RIA-Novosti") or after a name's leading Arabic article ("al-Qaida" → "al Qaida"); nothing
    for any other name ("UN Security Council" has three parts, "Bashar al-Assad" no leading article)."""
    if _ACRONYM_AND_WORD.fullmatch(text):
        return (text.replace(" ", "-") if " " in text else text.replace("-", " "),)
    article = _LEADING_ARTICLE.match(text)
    if article:
        return (article.group(1) + ("-" if article.group(2) == " " else " ") + text[article.end():],)
    return ()


def _token_count(text: str) -> int:
    return len([t for t in text.replace("-", " ").replace("'", " ").replace("’", " ").split() if t])


# -- loading --------------------------------------------------------------------------------

def load_cue_groups(path: Path = CUES_FILE) -> dict[str, CueGroup]:
    raw = read_toml(path, ConfigError, "cue groups")
    groups: dict[str, CueGroup] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        unknown = set(table) - {"scope", "words", "description"}
        if unknown:
            raise ConfigError(f"{path}: [{name}]: unknown key '{sorted(unknown)[0]}'")
        scope = table.get("scope")
        if scope not in CUE_SCOPES:
            raise ConfigError(f"{path}: [{name}]: scope must be one of {', '.join(CUE_SCOPES)}")
        words = table.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(f"{path}: [{name}]: words must be a non-empty list of strings")
        groups[name] = CueGroup(name, scope, tuple(w.strip() for w in words), str(table.get("description", "")))
    return groups


class TooLong(ConfigError):
    """An entry with a form over ``MAX_FORM_LENGTH``: skipped, not fatal."""


def read_tsv(path: str | os.PathLike, cue_groups: dict[str, CueGroup], skipped: list[str] | None = None) -> list[Entry]:
    """Parse one gazetteer file; ``ConfigError("file:line: problem")`` on the first mistake.
    An entry with a form longer than ``MAX_FORM_LENGTH`` is left out: its "file:line: why"
    goes to ``skipped`` (without it, ``TooLong`` is raised like any other mistake)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read gazetteer: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: gazetteer is not UTF-8 (byte {e.start})") from None
    header: list[str] | None = None
    entries: list[Entry] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{lineno}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = cells
            for name in header:
                if name not in COLUMNS:
                    raise ConfigError(f"{where}: unknown column '{name}' (known: {', '.join(COLUMNS)})")
            for name in REQUIRED:
                if name not in header:
                    raise ConfigError(f"{where}: missing required column '{name}'")
            if len(set(header)) != len(header):
                raise ConfigError(f"{where}: a column is named twice")
            continue
        if len(cells) > len(header):
            raise ConfigError(f"{where}: {len(cells)} fields, the header has {len(header)} (a stray tab?)")
        row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        try:
            entries.append(_entry(row, where, cue_groups))
        except TooLong as e:
            if skipped is None:
                raise
            skipped.append(str(e))
    if header is None:
        raise ConfigError(f"{path}: empty gazetteer (no header line)")
    return entries


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(LIST_SEP) if v.strip())


def _entry(row: dict[str, str], where: str, cue_groups: dict[str, CueGroup]) -> Entry:
    for name in REQUIRED:
        if not row.get(name):
            raise ConfigError(f"{where}: empty '{name}'")
    for name in ("ru", "en", "also", "expansion", "wrong"):
        for form in _split(row.get(name, "")):
            if len(form) > MAX_FORM_LENGTH:
                raise TooLong(
                    f"{where}: '{name}' form of {len(form)} characters (over {MAX_FORM_LENGTH}, "
                    f"no name is that long): entry skipped"
                )
    ru = _split(row["ru"])
    for form in ru:
        if not translit.is_cyrillic(form):
            raise ConfigError(f"{where}: ru form '{form}' has no Cyrillic letters")
    if LIST_SEP in row["en"]:
        raise ConfigError(f"{where}: 'en' takes one standard form (put others in 'also')")
    if translit.is_cyrillic(row["en"]):
        raise ConfigError(f"{where}: 'en' form '{row['en']}' is Cyrillic")
    if row["type"] not in TYPES:
        raise ConfigError(f"{where}: unknown type '{row['type']}' (known: {', '.join(TYPES)})")
    english = {name: _split(row.get(name, "")) for name in ("also", "expansion", "wrong")}
    for name, forms in english.items():
        for form in forms:
            if translit.is_cyrillic(form):
                raise ConfigError(f"{where}: {name} form '{form}' is Cyrillic")
    near: list[str] = []
    document: list[str] = []
    for cue in _split(row.get("cues", "")):
        if cue.startswith("@"):
            group = cue_groups.get(cue[1:])
            if group is None:
                raise ConfigError(f"{where}: unknown cue group '{cue}' (known: {', '.join('@' + g for g in sorted(cue_groups))})")
            (near if group.scope == "near" else document).extend(group.words)
        else:
            near.append(cue)
    return Entry(
        ru=ru,
        en=row["en"],
        type=row["type"],
        also=english["also"],
        expansion=english["expansion"],
        wrong=english["wrong"],
        cues=Cues(tuple(dict.fromkeys(near)), tuple(dict.fromkeys(document))),
        note=row.get("note", ""),
        source=where,
    )


def builtin_files() -> list[Path]:
    """The hand-made files (the mined one is loaded apart, under them)."""
    return sorted(p for p in DATA_DIR.glob("*.tsv") if p.name != MINED_FILE.name)


_MINED_SOURCE = str(MINED_FILE) + ":"


def is_mined(entry: Entry) -> bool:
    return entry.source.startswith(_MINED_SOURCE)


def _overridden(entry: Entry, ru_forms: set[str], english_keys: set[str]) -> bool:
    return any(f.lower() in ru_forms for f in entry.ru) or translit.normalize_latin(entry.en) in english_keys


def _stamp(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


def load(user_files: Iterable[str] = ()) -> Gazetteer:
    """The built-in gazetteer plus ``user_files``, cached per process."""
    files = tuple(str(f) for f in user_files)
    return _load(files, tuple(_stamp(f) for f in files))


@lru_cache(maxsize=8)
def _load(user_files: tuple[str, ...], _stamps: tuple[float, ...]) -> Gazetteer:
    key = _index_key(user_files)
    gaz = _read_index(key) if key is not None else None
    if gaz is None:
        gaz = _build(user_files)
        if key is not None:
            _write_index(key, gaz)
    for message in gaz.skipped:
        print(f"mtcheck: warning: gazetteer {message}", file=sys.stderr)
    return gaz


def _build(user_files: tuple[str, ...]) -> Gazetteer:
    groups = load_cue_groups()
    gaz = Gazetteer(cue_groups=groups)
    for path in [*builtin_files(), *map(Path, user_files)]:
        for entry in read_tsv(path, groups, gaz.skipped):
            gaz.add(entry)
    if MINED_FILE.exists():
        ru_forms = {f.lower() for e in gaz.entries for f in e.ru}
        english_keys = {translit.normalize_latin(t) for e in gaz.entries for t in (e.en, *e.also, *e.expansion)}
        for entry in read_tsv(MINED_FILE, groups, gaz.skipped):
            if not _overridden(entry, ru_forms, english_keys):
                gaz.add(entry)
    return gaz


# -- the index cache ------------------------------------------------------------------------
# Building the index renders every Russian form in every scheme: about a quarter of a second,
# in every process that checks a story. The built index is kept in the cache base folder
# (``mtcheck.locations``), one file per set of sources, named by a hash of everything the
# index is built from: the bytes of the data files and the user's files, of the code that
# builds it (this module and ``mtcheck.translit``) and the Python version (its Unicode
# tables fold the keys), so a changed file is never answered by an old index. It is stored as
# Python's plain types only (``mtcheck.codec``: loading it builds values and runs no code);
# a file that is unreadable, not of this format or not of this key is ignored and rebuilt.
INDEX_CACHE_FORMAT = 1
INDEX_CACHE_FOLDER = "gazetteer"
INDEX_CACHE_SUFFIX = ".index"
INDEX_CACHE_KEEP = 8  # index files kept (one per set of user files in use), the least recently used removed
MAX_INDEX_CACHE_BYTES = 64 * 1024 * 1024
# The fields the stored form writes; a Gazetteer, Entry, Form or CueGroup with others (the
# code changed) is not stored, and built each time, until the stored form follows.
_GAZETTEER_FIELDS = ("entries", "index", "cue_groups", "max_tokens", "prefixes", "skipped")
_FORM_FIELDS = ("entry", "kind", "text")
_CUES_FIELDS = ("near", "document")


def _index_key(user_files: tuple[str, ...]) -> str | None:
    """The hash naming the index of these user files; None when a source cannot be read
    (the build then says why)."""
    from mtcheck.locations import sources_digest

    sources = [Path(__file__), Path(translit.__file__), CUES_FILE, *builtin_files(), *map(Path, user_files)]
    if MINED_FILE.exists():
        sources.append(MINED_FILE)
    return sources_digest(f"{INDEX_CACHE_FORMAT}\0{sys.version}\0", sources)


def _index_folder() -> Path:
    from mtcheck.locations import cache_base

    return cache_base() / INDEX_CACHE_FOLDER


def _read_index(key: str) -> Gazetteer | None:
    from mtcheck.locations import read_kept

    payload = read_kept(_index_folder() / (key + INDEX_CACHE_SUFFIX), MAX_INDEX_CACHE_BYTES)
    if payload is None:
        return None
    try:
        return _from_plain(payload, key)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _write_index(key: str, gaz: Gazetteer) -> None:
    """Store the index; a cache folder that cannot be written only costs the next build."""
    from mtcheck.locations import write_kept

    payload = _plain(gaz, key)
    if payload is not None:
        write_kept(_index_folder() / (key + INDEX_CACHE_SUFFIX), payload, INDEX_CACHE_KEEP, "*" + INDEX_CACHE_SUFFIX)


def _field_names(cls) -> tuple[str, ...]:
    import dataclasses

    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(gaz: Gazetteer, key: str) -> dict | None:
    """The gazetteer as plain values: entries as their fields' values (their cues as a dict),
    forms as (entry number, kind, text), the index as form numbers (a form under several keys
    stays one form); None when the classes have fields this form does not know."""
    if (_field_names(Gazetteer) != _GAZETTEER_FIELDS or set(vars(gaz)) != set(_GAZETTEER_FIELDS)
            or _field_names(Form) != _FORM_FIELDS or _field_names(Cues) != _CUES_FIELDS):
        return None
    entry_fields = _field_names(Entry)
    entry_number = {id(e): k for k, e in enumerate(gaz.entries)}
    entries = []
    for e in gaz.entries:
        values = []
        for name in entry_fields:
            value = getattr(e, name)
            values.append({"near": value.near, "document": value.document} if isinstance(value, Cues) else value)
        entries.append(tuple(values))
    forms: list[tuple[int, str, str]] = []
    form_number: dict[int, int] = {}
    index = {}
    for k, found in gaz.index.items():
        numbers = []
        for form in found:
            n = form_number.get(id(form))
            if n is None:
                n = form_number[id(form)] = len(forms)
                forms.append((entry_number[id(form.entry)], form.kind, form.text))
            numbers.append(n)
        index[k] = numbers
    groups = {name: tuple(getattr(g, f) for f in _field_names(CueGroup)) for name, g in gaz.cue_groups.items()}
    return {"format": INDEX_CACHE_FORMAT, "key": key, "entry_fields": entry_fields, "entries": entries,
            "forms": forms, "index": index, "group_fields": _field_names(CueGroup), "cue_groups": groups,
            "max_tokens": gaz.max_tokens, "prefixes": list(gaz.prefixes), "skipped": list(gaz.skipped)}


def _from_plain(payload: dict, key: str) -> Gazetteer:
    """The gazetteer ``_plain`` stored (KeyError, TypeError, ... for anything else)."""
    if (payload["format"] != INDEX_CACHE_FORMAT or payload["key"] != key
            or tuple(payload["entry_fields"]) != _field_names(Entry)
            or tuple(payload["group_fields"]) != _field_names(CueGroup)
            or _field_names(Form) != _FORM_FIELDS or _field_names(Cues) != _CUES_FIELDS):
        raise ValueError("not this gazetteer's index")
    names = _field_names(Entry)
    entries = []
    for values in payload["entries"]:
        fields = dict(zip(names, values, strict=True))
        for name, value in fields.items():
            if isinstance(value, dict):
                fields[name] = Cues(**value)
        entries.append(Entry(**fields))
    forms = [Form(entries[e], kind, text) for e, kind, text in payload["forms"]]
    index = {k: [forms[n] for n in numbers] for k, numbers in payload["index"].items()}
    groups = {name: CueGroup(*values) for name, values in payload["cue_groups"].items()}
    max_tokens = payload["max_tokens"]
    if not isinstance(max_tokens, int):
        raise TypeError("malformed gazetteer index")
    return Gazetteer(entries=entries, index=index, cue_groups=groups, max_tokens=max_tokens,
                     prefixes=set(payload["prefixes"]), skipped=list(payload["skipped"]))
