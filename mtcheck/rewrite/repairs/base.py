"""What every transform module shares: the sentence a transform sees, the transform itself, the
repair it makes, and small helpers over spaCy tokens (capitals, number agreement, final
punctuation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from mtcheck.findings import Edit, apply_edits


@dataclass
class Context:
    """One sentence as the transforms see it."""

    text: str
    doc: object  # the spaCy Doc of ``text``
    previous: str | None = None  # the sentence before, in the same paragraph (joins only)

    def edit(self, edits: Sequence[Edit]) -> str:
        return apply_edits(self.text, list(edits))


@dataclass(frozen=True)
class Transform:
    name: str
    description: str
    apply: Callable[[Context], str | None]
    examples: tuple[tuple[str, str | None], ...]
    joins_previous: bool = False  # the result replaces the previous sentence and this one


@dataclass(frozen=True)
class Repair:
    text: str
    transforms: tuple[str, ...]
    joins_previous: bool = False


# -- helpers the transforms share ----------------------------------------------------------
NATIONALITY_ENDINGS = ("an", "ese", "ish", "ch", "i")


def keeps_capital(token) -> bool:
    """Whether a sentence-initial word keeps its capital when it moves inside the sentence:
    names, acronyms, "I", and adjectives of nationality (a capitalised adjective in English)."""
    text = token.text
    if not text[:1].isupper():
        return True  # nothing to lower
    if token.tag_ in ("NNP", "NNPS") or text == "I" or (len(text) > 1 and text.isupper()):
        return True
    return token.tag_ == "JJ" and text.lower().endswith(NATIONALITY_ENDINGS)


def lowered(token) -> str:
    """The token's text as it reads inside a sentence."""
    return token.text if keeps_capital(token) else token.text[0].lower() + token.text[1:]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def final_punct(doc) -> str:
    """The sentence-final punctuation (with closing quotes), or "" when there is none."""
    i = len(doc)
    while i > 0 and doc[i - 1].is_punct and doc[i - 1].text in ".!?…\"”’»)":
        i -= 1
    return doc[i:].text if i < len(doc) else ""


def body_end(doc) -> int:
    """Index one past the last token before the sentence-final punctuation."""
    i = len(doc)
    while i > 0 and doc[i - 1].is_punct and doc[i - 1].text in ".!?…":
        i -= 1
    return i


def plural(token) -> bool:
    """Whether a noun phrase headed by ``token`` is plural (conjoined heads count as plural)."""
    if token.tag_ in ("NNS", "NNPS") or "Plur" in token.morph.get("Number"):
        return True
    return any(c.dep_ == "conj" for c in token.children)


def agree(aux: str, is_plural: bool) -> str:
    """``aux`` ("was", "is", "has" ...) made to agree with a subject of that number."""
    pairs = {"was": "were", "is": "are", "has": "have"}
    low = aux.lower()
    if is_plural and low in pairs:
        new = pairs[low]
    elif not is_plural and low in {v: k for k, v in pairs.items()}:
        new = {v: k for k, v in pairs.items()}[low]
    else:
        new = low
    return capitalised(new) if aux[:1].isupper() else new
