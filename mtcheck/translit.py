"""Russian → Latin transliteration: the standard schemes and the ad-hoc renderings of MT.

Used by the entity rules to recognise a gazetteer name however it was romanised:
``variants("Дейр-эз-Зор")`` holds "Deyr-ez-Zor" (BGN/PCGN), "Dejr-e`z-Zor" (GOST 7.79-B),
"Dejr-èz-Zor" (ISO 9) and the mixed letter-by-letter renderings machine translation
produces ("Deir-ez-Zor", "Der-ez-Zor", ...). ``normalize_latin`` turns any of them into a
matching key (case-folded, diacritics, apostrophes, hyphens and spaces removed), so a
gazetteer can index every variant by key and look a text's words up in one dict probe.

Schemes (lower-case tables; capitals follow the Cyrillic):
- GOST 7.79-2000 system B (ASCII only: "shh", "cz", "y'", "e`"),
- BGN/PCGN 1947 (with its "ye"/"yë" after vowels and at word start),
- ALA-LC (ligatures and breves written, folded by ``normalize_latin``),
- ISO 9:1995 and the scholarly system (č, š, ž, ŝ, ...; their ASCII folds are variants too),
- ICAO Doc 9303 (machine-readable passports),
- ad hoc: per-letter alternatives MT and wire copy produce (Г→G/H, Х→KH/H/X, Ы→Y/I, Ж→ZH/J,
  Щ→SHCH/SCH, Ц→TS/C, Й→Y/I/J/–, Ё→E/YO, soft and hard signs dropped or '), plus the
  Arabic article as Russian assimilates it ("ан-Нусра" → "an-Nusra", "al-Nusra").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

VOWELS = set("аеёиоуыэюя")

GOST_B = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh", "щ": "shh",
    "ъ": "``", "ы": "y'", "ь": "`", "э": "e`", "ю": "yu", "я": "ya",
}
BGN_PCGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "”", "ы": "y", "ь": "’", "э": "e", "ю": "yu", "я": "ya",
}
ALA_LC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z",
    "и": "i", "й": "ĭ", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "t͡s", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "ė", "ю": "i͡u", "я": "i͡a",
}
ISO_9 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "ž", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ",
    "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "û", "я": "â",
}
SCHOLARLY = {
    **ISO_9,
    "х": "x", "щ": "šč", "э": "ė", "ю": "ju", "я": "ja", "ё": "ë",
}
ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}

SCHEMES: dict[str, dict[str, str]] = {
    "gost-b": GOST_B,
    "bgn-pcgn": BGN_PCGN,
    "ala-lc": ALA_LC,
    "iso9": ISO_9,
    "scholarly": SCHOLARLY,
    "icao": ICAO,
}

# Per-letter alternatives seen in MT output and wire copy, most usual first (the order is the
# cost used to bound long names). Г→H is the Ukrainian reading MT applies ("LIH" for ЛИГ).
AD_HOC: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g", "h"), "д": ("d",),
    "е": ("e", "ye", "ie"), "ё": ("yo", "e", "io", "ye"), "ж": ("zh", "j", "z"),
    "з": ("z",), "и": ("i", "y"), "й": ("y", "i", "", "j"), "к": ("k",),
    "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",),
    "с": ("s",), "т": ("t",), "у": ("u",), "ф": ("f",),
    "х": ("kh", "h", "x"), "ц": ("ts", "c", "cz"), "ч": ("ch", "c"),
    "ш": ("sh",), "щ": ("shch", "sch", "sh", "shh"), "ъ": ("", "'"),
    "ы": ("y", "i", "yi"), "ь": ("", "'"), "э": ("e",), "ю": ("yu", "iu", "ju", "u"),
    "я": ("ya", "ia", "ja", "a"),
}
# Letter pairs rendered as one unit.
AD_HOC_PAIRS: dict[str, tuple[str, ...]] = {
    "дж": ("dzh", "j", "dj"),
    "кс": ("ks", "x"),
    "ье": ("ye", "ie", "'e", "e", "'ye"),
    "ьи": ("yi", "i", "'i", "ii"),
}
# The Arabic article as Russian writes it before a sun letter ("ан-Нусра", "аш-Шам", "эз-Зор"):
# English keeps the assimilated form ("ez-Zor") or restores "al-" ("al-Nusra").
ARABIC_ARTICLES = frozenset("ан аш ад ат ар аз ас ал аль эн эш эд эт эр эз эс эль эл".split())
ARTICLE_RENDERINGS = ("al", "el")

MAX_AD_HOC = 600  # variants kept per name from the ad-hoc product (cheapest first)

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHES = "'’‘ʼʹʺ″′`´”“\"ʻ"
_JOINERS = " -‐‑‒–—\u00a0\u202f._"
_FOLD_TABLE = str.maketrans("", "", _APOSTROPHES + _JOINERS)


def normalize_latin(s: str) -> str:
    """The matching key of a Latin rendering: diacritics folded to ASCII, case-folded,
    apostrophes (soft/hard signs), hyphens, dots and spaces removed.

    ``normalize_latin("Deir ez-Zor") == normalize_latin("Deir Ezzor") == "deirezzor"``;
    ``normalize_latin("Šojgu") == "sojgu"``; ``normalize_latin("Kommersant’") == "kommersant"``.
    """
    if s.isascii():  # the common case, without Unicode decomposition
        return s.lower().translate(_FOLD_TABLE)
    return fold_ascii(s).casefold().translate(_FOLD_TABLE)


def fold_ascii(s: str) -> str:
    """Diacritics removed, everything else kept ("Šojgu" → "Sojgu", "t͡s" → "ts")."""
    if s.isascii():
        return s
    return _COMBINING.sub("", unicodedata.normalize("NFKD", s))


def _case_like(latin: str, cyr: str, all_caps: bool) -> str:
    """Give a rendering the case of the Cyrillic it came from ("Ж" → "Zh", "ЖК" → "ZHK")."""
    if not latin or not cyr[:1].isupper():
        return latin
    if all_caps:
        return latin.upper()
    return latin[:1].upper() + latin[1:]


def _is_all_caps_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def transliterate(cyrillic: str, scheme: str) -> str:
    """One rendering under a named scheme (see ``SCHEMES``); non-Cyrillic characters pass through."""
    table = SCHEMES[scheme]
    bgn, gost = scheme == "bgn-pcgn", scheme == "gost-b"
    out: list[str] = []
    words = None  # the all-capitals flags, asked for only at a capital (gazetteer loading renders every name)
    for i, ch in enumerate(cyrillic):
        low = ch.lower()
        latin = table.get(low)
        if latin is None:
            out.append(ch)
            continue
        if bgn and low in "её":
            prev = cyrillic[i - 1].lower() if i else ""
            if not prev or not prev.isalpha() or prev in VOWELS or prev in "ъь":
                latin = "ye" if low == "е" else "yë"
        if gost and low == "ц" and i + 1 < len(cyrillic) and cyrillic[i + 1].lower() in "иеыйэ":
            latin = "c"
        if latin and ch.isupper():  # (_case_like, inline)
            if words is None:
                words = _word_spans_cached(cyrillic)
            latin = latin.upper() if words[i] else latin[:1].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


@lru_cache(maxsize=4096)
def _word_spans_cached(text: str) -> tuple[bool, ...]:
    return tuple(_word_spans(text))


def _word_spans(text: str) -> list[bool]:
    """For each character: is it inside an all-capitals word (an acronym)?"""
    flags = [False] * len(text)
    i = 0
    while i < len(text):
        if text[i].isalpha():
            j = i
            while j < len(text) and text[j].isalpha():
                j += 1
            caps = _is_all_caps_word(text[i:j])
            for k in range(i, j):
                flags[k] = caps
            i = j
        else:
            i += 1
    return flags


def _units(cyrillic: str) -> list[tuple[str, tuple[str, ...]]]:
    """Split a Cyrillic name into units, each with its ordered Latin alternatives."""
    units: list[tuple[str, tuple[str, ...]]] = []
    caps = _word_spans(cyrillic)
    i = 0
    n = len(cyrillic)
    while i < n:
        ch = cyrillic[i]
        # Arabic article: a whole word of 2-3 letters followed by a hyphen.
        if ch.isalpha() and (i == 0 or not cyrillic[i - 1].isalpha()):
            j = i
            while j < n and cyrillic[j].isalpha():
                j += 1
            word = cyrillic[i:j]
            if word.lower() in ARABIC_ARTICLES and j < n and cyrillic[j] == "-" and j + 1 < n:
                plain = _ad_hoc_options(word, caps[i])
                extra = tuple(_case_like(a, word, caps[i]) for a in ARTICLE_RENDERINGS)
                units.append((word, tuple(dict.fromkeys(plain + extra))))
                i = j
                continue
        pair = cyrillic[i:i + 2].lower()
        if pair in AD_HOC_PAIRS:
            options = tuple(_case_like(o, cyrillic[i], caps[i]) for o in AD_HOC_PAIRS[pair])
            units.append((cyrillic[i:i + 2], options))
            i += 2
            continue
        low = ch.lower()
        if low == "й" and not (i + 1 < n and cyrillic[i + 1].isalpha()) and i and cyrillic[i - 1].lower() in "иы":
            # Only the adjectival ending loses its Й ("Зеленский" → "Zelensky"); inside a word
            # it is always written ("Байден" is never "Baden").
            units.append((ch, tuple(_case_like(o, ch, caps[i]) for o in AD_HOC["й"])))
        elif low == "й":
            units.append((ch, tuple(_case_like(o, ch, caps[i]) for o in AD_HOC["й"] if o)))
        elif low == "е" and i and cyrillic[i - 1].lower() not in VOWELS and cyrillic[i - 1].lower() not in "ъь" and cyrillic[i - 1].isalpha():
            # "ye"/"ie" for Е belong at word start and after vowels (BGN/PCGN); after a
            # consonant every scheme and MT writes "e".
            units.append((ch, (_case_like("e", ch, caps[i]),)))
        elif low in AD_HOC:
            units.append((ch, tuple(_case_like(o, ch, caps[i]) for o in AD_HOC[low])))
        else:
            units.append((ch, (ch,)))
        i += 1
    return units


def _ad_hoc_options(word: str, caps: bool) -> tuple[str, ...]:
    """Renderings of a short word as the product of its letters' first two alternatives."""
    out = [""]
    for ch in word:
        opts = AD_HOC.get(ch.lower(), (ch,))[:2]
        out = [o + _case_like(x, ch, caps) for o in out for x in opts]
    return tuple(out)


def _spell(steps: list[tuple[list[int], list[str]]], width: int) -> list[str]:
    """The texts of the last beam's ``width`` entries: their pieces, read back through the
    steps (every entry at once, one column of pieces per step)."""
    ks = list(range(width))
    columns = []
    for parents, texts in reversed(steps):
        columns.append([texts[k] for k in ks])
        ks = [parents[k] for k in ks]
    columns.reverse()
    return ["".join(pieces) for pieces in zip(*columns)] if columns else [""] * width


def _ad_hoc_variants(cyrillic: str, limit: int = MAX_AD_HOC) -> list[str]:
    """The cheapest ``limit`` renderings of the per-unit product (cost = sum of ranks).

    The beam keeps, per step, each entry's piece and the entry it extends, not whole strings
    (extending a string copies it: quadratic in the name's length); each kept rendering is
    spelled out once at the end."""
    costs = [0]
    steps: list[tuple[list[int], list[str]]] = []
    for _, options in _units(cyrillic):
        width = len(options)
        new_costs = [cost + rank for cost in costs for rank in range(width)]
        parents = [k for k in range(len(costs)) for _ in range(width)]
        texts = list(options) * len(costs)
        if len(new_costs) > limit:
            keep = sorted(range(len(new_costs)), key=new_costs.__getitem__)[:limit]  # stable: ties keep their order
            new_costs = [new_costs[i] for i in keep]
            parents = [parents[i] for i in keep]
            texts = [texts[i] for i in keep]
        steps.append((parents, texts))
        costs = new_costs
    return _spell(steps, len(costs))


@lru_cache(maxsize=4096)
def _variants(cyrillic: str) -> frozenset[str]:
    out: set[str] = set()
    for scheme in SCHEMES:
        rendering = transliterate(cyrillic, scheme)
        out.add(rendering)
        out.add(fold_ascii(rendering))
    out.update(_ad_hoc_variants(cyrillic))
    return frozenset(out)


def variants(cyrillic: str) -> set[str]:
    """Every plausible Latin rendering of a Russian name: each standard scheme's (with its
    ASCII fold) and the ad-hoc letter-by-letter renderings, bounded to ``MAX_AD_HOC``
    (cheapest first) so that long names stay fast."""
    return set(_variants(cyrillic))


def variant_keys(cyrillic: str) -> set[str]:
    """``normalize_latin`` of every variant: what an index stores."""
    return {normalize_latin(v) for v in _variants(cyrillic)}


# An acronym is spelled letter by letter: each Cyrillic letter becomes the Latin letter(s) MT
# reads it as, in capitals ("ЛИГ" → "LIG", "LIH"; "МЧС" → "MCHS", "MChS"). Word-initial "YE"
# (BGN/PCGN) and ISO 9's diacritics are not acronym spellings ("ЕС" is never "YES").
ACRONYM_LETTERS: dict[str, tuple[str, ...]] = {
    **{k: tuple(o for o in v if o) for k, v in AD_HOC.items()},
    "е": ("e",), "ё": ("e", "yo"), "э": ("e",), "ы": ("y", "i"), "ъ": ("",), "ь": ("",),
}
ACRONYM_SCHEMES = ("gost-b", "ala-lc", "icao")


@lru_cache(maxsize=4096)
def _acronym_variants(acronym: str) -> frozenset[str]:
    out: set[str] = set()
    for scheme in ACRONYM_SCHEMES:
        out.add(fold_ascii(transliterate(acronym, scheme)).upper())
    width = 1  # entries in the beam; pieces and parents per step, as in _ad_hoc_variants
    steps: list[tuple[list[int], list[str]]] = []
    for ch in acronym:
        opts = [o.upper() for o in ACRONYM_LETTERS.get(ch.lower(), (ch,))]
        parents = [k for k in range(width) for _ in opts][:MAX_AD_HOC]
        steps.append((parents, (opts * width)[:MAX_AD_HOC]))
        width = len(parents)
    out.update(_spell(steps, width))
    return frozenset(v for v in out if v.strip())


def acronym_variants(acronym: str) -> set[str]:
    """Letter-by-letter renderings of a Russian acronym, in capitals ("ЛИГ" → {"LIG", "LIH", ...})."""
    return set(_acronym_variants(acronym))


def is_acronym(cyrillic: str) -> bool:
    """All-capital Cyrillic words of up to six letters each ("СДС", "СБ ООН")."""
    words = [w for w in cyrillic.replace("-", " ").split() if w]
    return bool(words) and all(len(w) <= 6 and _is_all_caps_word(w) or (len(w) == 1 and w.isupper()) for w in words)


def is_cyrillic(s: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in s)


# -- scheme-blind matching keys -------------------------------------------------------------
# A "skeleton" folds away what the schemes disagree on, so that one key stands for every
# rendering of a Russian word: "Sledkom", "Sljedkom", "SLEDKOM" and Следком all give
# "sledkom"; "Shojgu", "Shoygu", "Šojgu" and Шойгу give "Soigu". Used to look a Latin word up in
# a Russian vocabulary of tens of thousands of forms with one dict probe, without generating
# every rendering of every form. Capitals mark the sounds written with digraphs
# (Ш/Щ "S", Ж "Z", Х "H", Ц and ТС "C", Ч "Q"); Й, Ы and И are all "i"; Е/Э/Ё are "e" (a
# "y"/"j"/"i" glide before it is dropped); double letters are single.
_SKELETON_CYR = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "Z", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "H", "ц": "C", "ч": "Q", "ш": "S", "щ": "S",
    "ъ": "", "ь": "", "ы": "i", "э": "e", "ю": "iu", "я": "ia", "-": "", " ": "", "’": "", "'": "",
})
# Latin digraphs first (longest first), then single letters.
_SKELETON_LATIN = re.compile(r"shch|shh|sch|sh|zh|kh|tch|ch|tz|ts|cz|ks|[a-z]")
_SKELETON_LATIN_MAP = {
    "shch": "S", "shh": "S", "sch": "S", "sh": "S", "zh": "Z", "kh": "H", "tch": "Q", "ch": "Q",
    "tz": "C", "ts": "C", "cz": "C", "ks": "ks", "c": "C", "x": "ks", "h": "H", "y": "i", "j": "i",
    "w": "v", "q": "k",
}
# ISO 9 / scholarly letters spelled as the digraphs they stand for, before diacritics fold away.
_ISO_DIGRAPHS = str.maketrans({"š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh", "č": "ch", "Č": "Ch",
                               "ŝ": "shch", "Ŝ": "Shch", "û": "yu", "Û": "Yu", "â": "ya", "Â": "Ya"})
_DOUBLES = re.compile(r"(.)\1+")
_GLIDE = re.compile(r"i(?=e)")  # "ye"/"je"/"ie" for Е: the glide is a scheme's, not a sound's
MAX_SKELETON_WORD = 40  # longer "words" are not names: their skeleton is not looked up


def _finish_skeleton(s: str) -> str:
    s = _DOUBLES.sub(r"\1", s)
    return _GLIDE.sub("", s)


def skeleton_cyrillic(word: str) -> str:
    """The scheme-blind key of a Russian word ("Следком" → "sledkom", "Шойгу" → "Soigu")."""
    return _finish_skeleton(word.lower().translate(_SKELETON_CYR).replace("ts", "C"))


def skeletons_latin(word: str) -> tuple[str, ...]:
    """The scheme-blind keys a Latin word can stand for: one, or two where "x" may be Х (GOST)
    as well as КС ("Xabarovsk", "Aleksej"/"Alexei")."""
    key = normalize_latin(word.translate(_ISO_DIGRAPHS) if not word.isascii() else word)
    if not key.isascii() or not key.isalpha() or len(key) > MAX_SKELETON_WORD:
        return ()
    out = _finish_skeleton(_SKELETON_LATIN.sub(lambda m: _SKELETON_LATIN_MAP.get(m.group(), m.group()), key))
    if "x" in key:
        gost = _finish_skeleton(_SKELETON_LATIN.sub(
            lambda m: "H" if m.group() == "x" else _SKELETON_LATIN_MAP.get(m.group(), m.group()), key))
        return (out, gost) if gost != out else (out,)
    return (out,)


@lru_cache(maxsize=8192)
def scheme_of(latin: str, cyrillic: str) -> str:
    """Which rendering turns ``cyrillic`` into ``latin``, for messages: the first standard
    scheme whose rendering has the same matching key ("GOST 7.79-B", "BGN/PCGN", ...), else
    "letter by letter" (the ad-hoc mixture MT produces). Cached: a story's findings ask it of
    the same spelling again and again, and it renders the name in six schemes."""
    key = normalize_latin(latin)
    for scheme, label in SCHEME_LABELS.items():
        if normalize_latin(transliterate(cyrillic, scheme)) == key:
            return label
    return "letter by letter"


SCHEME_LABELS = {
    "bgn-pcgn": "BGN/PCGN", "icao": "ICAO", "gost-b": "GOST 7.79-B", "iso9": "ISO 9",
    "scholarly": "scholarly", "ala-lc": "ALA-LC",
}
# The renderings English news uses for Russian names: BGN/PCGN without its diacritics and
# apostrophes, with the usual simplifications (-ий → -y, кс → x, е → e after a consonant).
NEWS_LETTERS: dict[str, tuple[str, ...]] = {
    **{k: (v,) for k, v in BGN_PCGN.items()},
    "е": ("ye", "e"), "ё": ("yo", "e", "ye"), "й": ("y", "i"), "ъ": ("",), "ь": ("",),
    "ы": ("y",), "э": ("e",), "и": ("i",), "х": ("kh", "h"), "я": ("ya", "ia"), "ю": ("yu", "iu"),
    "щ": ("shch", "sh", "sch"),  # "Tarpishev", "Scherbakov", "Shcherbakov": all in English news
}
NEWS_PAIRS = {"кс": ("ks", "x"), "ий": ("y", "iy", "i"), "ый": ("y", "iy"), "ье": ("ye", "ie", "e"), "ия": ("iya", "ia"),
              "дж": ("dzh", "j")}
MAX_NEWS = 64


@lru_cache(maxsize=8192)
def news_keys(cyrillic: str) -> frozenset[str]:
    """Matching keys of the renderings English news would accept for a Russian name (at most
    ``MAX_NEWS`` combinations, first alternatives first)."""
    word = cyrillic.lower()
    renderings = [""]
    i = 0
    while i < len(word):
        pair = word[i:i + 2]
        if pair in NEWS_PAIRS and (pair not in ("ий", "ый") or i + 2 == len(word)):
            options, i = NEWS_PAIRS[pair], i + 2
        elif word[i] == "е" and i and word[i - 1].isalpha() and word[i - 1] not in VOWELS and word[i - 1] not in "ъь":
            options, i = ("e",), i + 1  # "ye" only at word start and after a vowel
        else:
            options, i = NEWS_LETTERS.get(word[i], (word[i],)), i + 1
        renderings = [r + o for r in renderings for o in options][:MAX_NEWS]
    return frozenset(normalize_latin(fold_ascii(r)) for r in renderings)


def news_spelling(cyrillic: str) -> str:
    """The spelling English news would give a Russian name (BGN/PCGN without its diacritics and
    apostrophes, -ий/-ый as -y): the suggestion where the translators' form is not known
    ("Навальный" → "Navalny")."""
    word = cyrillic.lower()
    for ending in ("ий", "ый"):
        if word.endswith(ending):
            word = word[:-2] + "\u0000"  # one "y" below
    latin = transliterate(word, "bgn-pcgn").replace("\u0000", "y")
    latin = fold_ascii(latin).translate(str.maketrans("", "", "'’”\"")).replace("yy", "y")
    return latin[:1].upper() + latin[1:]


# -- Latin back to Cyrillic (for explanations) ------------------------------------------------
# A Latin word that reads as Russian but is in no vocabulary is shown with the Cyrillic it most
# likely came from ("Taganskij" → "Таганский"): the longest Latin group first, then letters.
_TO_CYRILLIC_GROUPS = (
    ("shch", "щ"), ("shh", "щ"), ("sch", "щ"), ("y'", "ы"), ("e`", "э"), ("zh", "ж"), ("kh", "х"),
    ("ts", "ц"), ("cz", "ц"), ("ch", "ч"), ("sh", "ш"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"),
    ("yo", "ё"), ("jo", "ё"), ("ye", "е"), ("je", "е"),
    # и before a glide vowel is и + я/ю/е ("Natalija", "Anastasiya"), not й + а.
    ("iya", "ия"), ("ija", "ия"), ("iyu", "ию"), ("iju", "ию"), ("iye", "ие"), ("ije", "ие"), ("iy", "ий"), ("yy", "ый"), ("yj", "ый"), ("ij", "ий"),
    ("'", "ь"), ("’", "ь"), ("`", "ь"),
)
_TO_CYRILLIC_LETTERS = {
    "a": "а", "b": "б", "c": "ц", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "й",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "w": "в", "x": "кс", "y": "ы", "z": "з",
}


def cyrillic_guess(latin: str) -> str:
    """The Cyrillic a Russian-style rendering most likely came from (a guess, for messages):
    ``cyrillic_guess("Pervomayskogo") == "Первомайского"``."""
    low = latin.lower()
    out: list[str] = []
    i = 0
    while i < len(low):
        for group, cyr in _TO_CYRILLIC_GROUPS:
            if low.startswith(group, i):
                # A glide and its vowel after a vowel are я, ю, ё, е ("Petrovskaya": Петровская,
                # "Andreju": Андрею): Russian has -ая, -ею far more than -айа, -ейу. Before a
                # consonant the y or j is й ("Pervomayskogo", below).
                out.append(cyr)
                i += len(group)
                break
        else:
            ch = low[i]
            if ch == "y" and i and low[i - 1] in "aeiou":
                out.append("й")
            else:
                out.append(_TO_CYRILLIC_LETTERS.get(ch, ch))
            i += 1
    word = "".join(out)
    return word[:1].upper() + word[1:] if latin[:1].isupper() else word
