"""Government: the preposition a verb takes, calqued from Russian.

"обвинить США в передаче" comes out as "accused the United States in the transfer" (English:
"of the transfer"); "потакать ИГИЛ" as "pandering ISIL" (English: "pandering to ISIL"). The
verbs and their prepositions are data (``mtcheck/data/repairs.toml``).
"""

from __future__ import annotations

from functools import lru_cache

from mtcheck.findings import Edit
from mtcheck.rewrite.repairs.base import Context, Transform
from mtcheck.rewrite.repairs.data import repair_data, word_list


def _forms(base: str) -> set[str]:
    """Inflected forms of a regular verb (the parse runs without a lemmatizer)."""
    stem = base[:-1] if base.endswith("e") else base
    forms = {base, base + "s", base + "es", stem + "ed", stem + "ing", base + "d"}
    if base.endswith("y"):
        forms |= {base[:-1] + "ied", base[:-1] + "ies"}
    return forms


@lru_cache(maxsize=2)
def _lemmas(table: str) -> dict[str, str]:
    return {form: base for base in repair_data()[table] for form in _forms(base)}


def _verb_base(token, table: str) -> str | None:
    if not token.tag_.startswith("VB"):
        return None
    return _lemmas(table).get(token.lower_)


def calqued_preposition(ctx: Context) -> str | None:
    edits = []
    government = repair_data()["government"]
    exceptions = word_list("government_exceptions")
    for verb in ctx.doc:
        base = _verb_base(verb, "government")
        if base is None:
            continue
        wanted = government[base]
        objects = [c for c in verb.children if c.dep_ == "dobj"]
        if base in word_list("government_with_object") and not objects:
            continue
        heads = [verb] + [c for c in objects if c.pos_ in ("PROPN", "PRON")]
        preps = [p for h in heads for p in h.children if p.dep_ == "prep" and p.i > verb.i]
        if any(p.lower_ in wanted.values() for p in preps):
            continue  # it has the English preposition already; the other one is something else
        for p in preps:
            if p.lower_ not in wanted:
                continue
            # An action or a charge ("in the transfer", "in treason"), not a place or a name
            # ("in Moscow") or an idiom ("in court").
            pobjs = [c for c in p.children if c.dep_ == "pobj"]
            if len(pobjs) != 1 or pobjs[0].pos_ != "NOUN" or pobjs[0].lower_ in exceptions:
                continue
            if any(c.dep_ == "poss" or c.pos_ == "PROPN" for c in pobjs[0].children):
                continue  # "in his blog", "in the Ryazan region": a place, not a charge
            repl = wanted[p.lower_]
            edits.append(Edit(p.idx, p.idx + len(p.text), repl.capitalize() if p.text[0].isupper() else repl))
    return ctx.edit(edits) if edits else None


def _quoted(doc, token) -> bool:
    """Whether the phrase ``token`` heads stands in quotation marks."""
    span = sorted(t.i for t in token.subtree)
    before = doc[span[0] - 1] if span[0] > 0 else None
    after = doc[span[-1] + 1] if span[-1] + 1 < len(doc) else None
    return bool(before is not None and before.is_quote) or bool(after is not None and after.is_quote)


def missing_preposition(ctx: Context) -> str | None:
    edits = []
    table = repair_data()["missing_preposition"]
    for verb in ctx.doc:
        base = _verb_base(verb, "missing_preposition")
        if base is None:
            continue
        prep = table[base]
        # "..., comments the chief economist": a reporting verb before its subject, not a verb
        # missing its preposition. The verb must have its subject before it, or be an
        # infinitive or a participle.
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i]
        if verb.tag_ not in ("VB", "VBG") and not subjects:
            continue
        if any(_quoted(ctx.doc, sub) for sub in subjects):
            continue  # '"Hypocrisy" respond the liberals': the quotation is what was said
        if any(c.dep_ in ("prep", "prt") and c.lower_ == prep for c in verb.children):
            continue
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i and c.pos_ in ("NOUN", "PROPN")]
        if len(objects) != 1:
            continue
        first = min(t.i for t in objects[0].subtree)
        if first != verb.i + 1:  # something stands between the verb and its object: leave it
            continue
        at = ctx.doc[first].idx
        edits.append(Edit(at, at, prep + " "))
    return ctx.edit(edits) if edits else None


TRANSFORMS = (
    Transform(
        name="calqued-preposition",
        description="A verb with the preposition its Russian counterpart takes ('accused ... in "
                    "the transfer'): the English preposition ('of').",
        apply=calqued_preposition,
        examples=(
            ("The ministry accused the United States in the transfer of data to the militants.",
             "The ministry accused the United States of the transfer of data to the militants."),
            ("Moscow suspects Kyiv in the preparation of a provocation.",
             "Moscow suspects Kyiv of the preparation of a provocation."),
            ("The president congratulated the team with the victory.",
             "The president congratulated the team on the victory."),
            ("He was accused in court of fraud.", None),
            ("The ministry accused the United States of the transfer.", None),
            ("She accused him in Moscow last year.", None),
            ("He accused them in his blog of lying.", None),
            ("The professor has been convicted in the Ryazan region.", None),
            ("The man accused in the shooting appeared in court.", None),
        ),
    ),
    Transform(
        name="missing-preposition",
        description="A verb that takes a preposition in English used with a direct object, as its "
                    "Russian counterpart is ('pandering ISIL'): the preposition is put back.",
        apply=missing_preposition,
        examples=(
            ("Moscow says that the US is pandering terrorists in the region.",
             "Moscow says that the US is pandering to terrorists in the region."),
            ("The spokesman refused to comment the situation in the city.",
             "The spokesman refused to comment on the situation in the city."),
            ("The spokesman refused to comment on the situation.", None),
            ("The ministry did not respond to the request.", None),
            ("“Wages will rise,” comments the chief economist of the bank.", None),
            ('"Hypocrisy" respond the liberals, who see only a coup.', None),
        ),
    ),
)
