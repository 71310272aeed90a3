"""Articles Russian does not have: "the" before institutions and before names that take it.

"the official representative of Russian Foreign Ministry" -> "of the Russian Foreign Ministry";
"forces came close to those who support US" -> "support the US". The institution heads and the
names are data (``mtcheck/data/repairs.toml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from mtcheck.findings import Edit
from mtcheck.rewrite.repairs.base import NATIONALITY_ENDINGS, Context, Transform, final_punct, keeps_capital
from mtcheck.rewrite.repairs.data import word_list

_NP_ROLES = ("pobj", "nsubj", "nsubjpass", "dobj", "conj", "appos", "attr")
_DETERMINING = ("det", "poss", "nummod", "predet")
_MODIFIERS = ("amod", "compound", "nmod")


def _article_edit(ctx: Context, first) -> Edit:
    """Insert "the" before token ``first`` ("The" at the start of the sentence)."""
    if first.i == 0:
        # "Communications and Mass Media Ministry": a capitalised head makes it a name, whose
        # words keep their capitals.
        name = first.head.text[:1].isupper() or keeps_capital(first)
        word = first.text if name else first.text[0].lower() + first.text[1:]
        return Edit(first.idx, first.idx + len(first.text), "The " + word)
    return Edit(first.idx, first.idx, "the ")


def _national(token) -> bool:
    """"Russian", "Syrian", "Chinese": a capitalised adjective of nationality (the tagger calls
    them JJ or NNP)."""
    if not token.text[:1].isupper():
        return False
    if token.tag_ == "JJ":
        return token.lower_.endswith(NATIONALITY_ENDINGS)
    # A name tagged NNP: only the longer endings ("Beslan", "Iran" are places, "Syrian" is not).
    return token.tag_ in ("NNP", "NNPS") and token.lower_.endswith(("ian", "ean", "ican", "ese", "ish", "ench"))


def _preceded_by_determiner(doc, i: int) -> bool:
    if i == 0:
        return False
    before = doc[i - 1]
    return before.tag_ in ("DT", "PRP$", "POS", "WP$", "CD") or before.lower_ in ("'s", "’s")


def institution_article(ctx: Context) -> str | None:
    doc = ctx.doc
    if not final_punct(doc):  # a headline: English headlines drop articles too
        return None
    heads = word_list("institution_heads")
    edits = []
    for h in doc:
        if h.lower_ not in heads or h.tag_ not in ("NN", "NNP") or h.dep_ not in _NP_ROLES:
            continue
        lefts = list(h.lefts)
        if any(c.dep_ in _DETERMINING for c in lefts) or not lefts or not all(c.dep_ in _MODIFIERS for c in lefts):
            continue  # "in government", "the ministry", "Russia's ministry": not a bare name
        if h.dep_ in ("conj", "appos") or any(c.dep_ == "conj" for c in h.children):
            continue  # "the air force and air defense army": one article for both; lists of names vary
        modifiers = [t for c in lefts for t in c.subtree]
        if not any(_national(t) for t in modifiers):
            # Only a national institution: "Russian Foreign Ministry", "Syrian army" take "the";
            # "Central Command", "Moscow City News Agency" are names used bare as often as not.
            continue
        first = doc[min(t.i for t in modifiers)]
        if any(t.tag_ in ("DT", "PRP$", "POS") for t in modifiers):
            continue  # "the House of Lords communication committee": determined inside
        if first.i > 0 and doc[first.i - 1].tag_ == "CC":
            continue  # "the Control and Disciplinary Committee": the article is shared
        if any(t.tag_ == "POS" or t.dep_ == "poss" for t in doc[first.i:h.i]) or _preceded_by_determiner(doc, first.i):
            continue
        edits.append(_article_edit(ctx, first))
    return ctx.edit(edits) if edits else None


@lru_cache(maxsize=1)
def _names_pattern() -> re.Pattern:
    names = sorted(word_list("article_names"), key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def name_article(ctx: Context) -> str | None:
    doc = ctx.doc
    if not final_punct(doc):
        return None
    by_end = {t.idx + len(t.text): t for t in doc}
    by_start = {t.idx: t for t in doc}
    edits = []
    for m in _names_pattern().finditer(ctx.text):
        first, last = by_start.get(m.start()), by_end.get(m.end())
        if first is None or last is None:
            continue
        nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
        # "US officials", "the US", "Russia's Pentagon", "US's": not a bare noun phrase.
        if last.dep_ not in _NP_ROLES or (nxt is not None and (nxt.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") or nxt.tag_ == "POS")):
            continue
        before = doc[first.i - 1] if first.i > 0 else None
        if before is not None and not (before.tag_ in ("IN", "TO") or before.tag_.startswith("VB")):
            continue  # only after a verb or a preposition: not "the US", "San Diego, USA", "(USA)"
        if any(c.dep_ in ("det", "amod", "poss", "compound") for c in last.children):
            continue  # "a reformed EU"
        edits.append(_article_edit(ctx, first))
    return ctx.edit(edits) if edits else None


TRANSFORMS = (
    Transform(
        name="institution-article",
        description="An institution named without 'the' (Russian has no articles): 'the' is put back.",
        apply=institution_article,
        examples=(
            ("The official representative of Russian Foreign Ministry said that the talks failed.",
             "The official representative of the Russian Foreign Ministry said that the talks failed."),
            ("The coalition struck positions of Syrian army near the airport.",
             "The coalition struck positions of the Syrian army near the airport."),
            ("The statement of the Russian Foreign Ministry was brief.", None),
            ("Moscow called for a meeting after the attack on Syrian army", None),
            ("He served in government for ten years.", None),
            ("He got 400 hours of community service.", None),
            ("He was replaced at Central Command by General Votel.", None),
            ("We spoke with the head of the Mothers of Beslan Committee.", None),
            ("Officers of the air force and air defense army were there.", None),
            ("The head of the Control and Disciplinary Committee spoke.", None),
            ("Afghan provincial council and presidential elections take place in April.", None),
            ("Russia's Foreign Ministry said so.", None),
        ),
    ),
    Transform(
        name="name-article",
        description="A name English writes with 'the' ('the US', 'the Pentagon') standing bare: "
                    "'the' is put back.",
        apply=name_article,
        examples=(
            ("Forces supported by Russia came close to those who support US.",
             "Forces supported by Russia came close to those who support the US."),
            ("The statement was sent to Pentagon on Monday.", "The statement was sent to the Pentagon on Monday."),
            ("US officials said the statement was sent to the Pentagon.", None),
            ("The US said so.", None),
            ("He would like to stay in a reformed EU.", None),
            ("The tunnel links warehouses near Tijuana, Mexico and San Diego, USA.", None),
            ("A lobster was caught off Cape Cod (USA).", None),
        ),
    ),
)
