"""English vocabulary and word counts (``mtcheck/data/wordfreq.tsv``), loaded once per process.

Used by rules that need to know whether a lower-case token is an English word and how
common it is (glued words, shouted common words, words cut off mid-word). The list and how
it is built are described in ``scripts/build_wordfreq.py``.
"""

from __future__ import annotations

import bisect
from functools import cached_property, lru_cache

from mtcheck.data import load_counts

# Inflection and derivation endings tried when a word is not listed itself: "cyberattacks"
# is known when "cyberattack" is. (ending, what replaces it)
_ENDINGS = (
    ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"), ("ily", "y"),
    ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"),
    ("er", ""), ("er", "e"), ("ers", ""), ("ers", "e"), ("est", ""), ("ly", ""), ("ness", ""),
    ("ment", ""), ("ments", ""), ("ism", ""), ("ist", ""), ("ists", ""),
)
# The longest word ``known`` derives (prefixes and endings on a listed word); past it the
# prefix recursion would copy the word once per prefix, quadratic in its length.
MAX_WORD_LENGTH = 64
_PREFIXES = ("anti", "counter", "cyber", "non", "over", "post", "pre", "re", "self", "un", "under")


# How many ``known`` answers a lexicon keeps (a story repeats its words; a long-running
# gate or review server sees new ones without end, so the memo is emptied when full).
KNOWN_MEMO_SIZE = 200_000


class Lexicon:
    def __init__(self, counts: dict[str, int]):
        self._counts = counts
        self._known: dict[str, bool] = {}

    def count(self, word: str) -> int:
        """How often ``word`` was written in lower case in the reference news text (0: never,
        or only capitalised, or known from the dictionary alone)."""
        return self._counts.get(word, 0)

    def inflected_count(self, word: str) -> int:
        """``count`` of the word and its regular inflections ("raid", "raids", "raided")."""
        forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
        if word.endswith("e"):
            forms.add(word[:-1] + "ing")
        return sum(self._counts.get(f, 0) for f in forms)

    def __contains__(self, word: str) -> bool:
        return word in self._counts

    def known(self, word: str) -> bool:
        """Whether a lower-case word is English: listed, or a listed word with a common
        ending or prefix ("cyberattacks", "re-elected" is two tokens anyway)."""
        if word in self._counts:
            return True
        answer = self._known.get(word)
        if answer is None:
            if len(self._known) >= KNOWN_MEMO_SIZE:
                self._known.clear()
            answer = self._known[word] = self._derived(word)
        return answer

    def _derived(self, word: str) -> bool:
        """``known`` for a word not listed itself: a listed word with an ending or prefix."""
        if len(word) > MAX_WORD_LENGTH:
            return False  # no word is this long, however many prefixes it stacks ("reunre...")
        for ending, replacement in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                if word[: len(word) - len(ending)] + replacement in self._counts:
                    return True
        for prefix in _PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 4 and self.known(word[len(prefix):]):
                return True
        return False

    @cached_property
    def _sorted(self) -> list[str]:
        return sorted(self._counts)

    def completes(self, prefix: str) -> str | None:
        """A listed word that starts with ``prefix`` and is longer than it, if any; the most
        frequent of the first few, so "increasi" gives "increasing"."""
        words = self._sorted
        i = bisect.bisect_right(words, prefix)
        best = None
        for w in words[i:i + 50]:
            if not w.startswith(prefix):
                break
            if best is None or self.count(w) > self.count(best):
                best = w
        return best


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(load_counts("wordfreq.tsv"))
