"""Offline repairs: small named transforms that undo the damage Russian MT leaves in English.

Where no translation model is at hand, a flagged sentence still gets candidates: each
``Transform`` reads the spaCy parse of the sentence (``mtcheck.neural.parse``) and, when its
pattern holds, proposes the sentence with one kind of damage undone (a fronted adverbial put
back, the "It" of an impersonal passive restored, a bare "... no." turned into "There are
no ..."). A transform abstains (returns None) whenever the parse does not show its pattern
plainly: a repair is a candidate, and the fix scorer and ``protect.violations`` still decide.

Each transform carries its own examples, as LanguageTool rules do: (before, after) pairs, and
(before, None) for text it must leave alone; ``tests/test_repairs.py`` runs every one. A
transform that joins a fragment to the sentence before it (``joins_previous``) gets the
previous sentence too; its examples give it on the first line of ``before``.

``propose(texts, previous)`` returns, per sentence, the distinct repairs: each transform alone,
and all the applicable ones composed (re-parsed after each step), with the names of the
transforms that made it.
"""

from __future__ import annotations

from typing import Sequence

from mtcheck.rewrite.repairs.base import Context, Repair, Transform


def transforms() -> tuple[Transform, ...]:
    """Every transform, in the order they compose (joins last: they need the repaired fragment)."""
    from mtcheck.rewrite.repairs import articles, clauses, government, grammar, order, punctuation

    found = (*order.TRANSFORMS, *clauses.TRANSFORMS, *government.TRANSFORMS, *grammar.TRANSFORMS,
             *articles.TRANSFORMS, *punctuation.TRANSFORMS)
    return tuple(sorted(found, key=lambda t: t.joins_previous))


def signature() -> str:
    """The transforms in use and their word lists, as a short digest (for the run signature)."""
    import hashlib

    from mtcheck.data import data_path
    from mtcheck.rewrite.repairs.data import DATA_FILE

    h = hashlib.sha256(",".join(t.name for t in transforms()).encode())
    h.update(data_path(DATA_FILE).read_bytes())
    return h.hexdigest()[:12]


def transform_by_name(name: str) -> Transform:
    for t in transforms():
        if t.name == name:
            return t
    raise KeyError(name)


def _parse(texts: Sequence[str]) -> list:
    from mtcheck.neural.parse import parse_texts

    return parse_texts(list(texts)) if texts else []


def apply_one(transform: Transform, text: str, previous: str | None = None, doc=None) -> str | None:
    """``transform`` on one sentence (parsed here unless ``doc`` is given); None: it abstains."""
    if transform.joins_previous and not previous:
        return None
    doc = doc if doc is not None else _parse([text])[0]
    out = transform.apply(Context(text, doc, previous))
    if out is None or out == text:
        return None
    return out


def propose(texts: Sequence[str], previous: Sequence[str | None] | None = None) -> list[list[Repair]]:
    """Repairs for each of ``texts`` (``previous``: the sentence before each, or None).

    Every transform is tried alone on the parse of the sentence; then the applicable ones are
    composed in order, each on the parse of the text the previous steps made. A join takes the
    (repaired) fragment and the previous sentence as given. Last, the transforms are tried once
    more on each repair (a join aside): one repair may lay bare another's pattern ("While in the
    military pointed out ..." -> "While the military pointed out ..." -> "Meanwhile, the
    military pointed out ...").
    """
    previous = list(previous) if previous is not None else [None] * len(texts)
    all_transforms = transforms()
    docs = _parse(texts)
    out: list[dict[str, Repair]] = []
    for text, doc, prev in zip(texts, docs, previous):
        singles: list[Repair] = []
        for t in all_transforms:
            if t.joins_previous and not prev:
                continue
            got = t.apply(Context(text, doc, prev))
            if got and got != text:
                singles.append(Repair(got, (t.name,), t.joins_previous))
        found = {r.text: r for r in singles}
        if len(singles) > 1:
            composed = _compose(text, prev, [transform_by_name(r.transforms[0]) for r in singles])
            if composed is not None and composed.text not in found:
                found[composed.text] = composed
        out.append(found)
    _follow_up(out, all_transforms)
    return [list(found.values()) for found in out]


def _follow_up(found_per_text: list[dict[str, Repair]], all_transforms: Sequence[Transform]) -> None:
    """Each sentence's repairs (not joins) re-parsed, batched, and the transforms not in their
    chain tried on them once; what fires is added, its chain extended."""
    todo = [(k, r) for k, found in enumerate(found_per_text) for r in found.values() if not r.joins_previous]
    if not todo:
        return
    for (k, r), doc in zip(todo, _parse([r.text for _, r in todo])):
        for t in all_transforms:
            if t.joins_previous or t.name in r.transforms:
                continue
            got = t.apply(Context(r.text, doc, None))
            if got and got != r.text and got not in found_per_text[k]:
                found_per_text[k][got] = Repair(got, (*r.transforms, t.name))


def _compose(text: str, prev: str | None, chain: Sequence[Transform]) -> Repair | None:
    applied: list[str] = []
    joined = False
    current = text
    for t in chain:
        if joined:
            break
        doc = _parse([current])[0]
        got = t.apply(Context(current, doc, prev))
        if got and got != current:
            current = got
            applied.append(t.name)
            joined = t.joins_previous
    if len(applied) < 2:
        return None
    return Repair(current, tuple(applied), joined)


__all__ = ["Context", "Repair", "Transform", "apply_one", "propose", "transforms", "transform_by_name"]
