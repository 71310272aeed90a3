"""Russian punctuation carried into English.

Russian sets every subordinate clause off with a comma ("заявил, что ...") and closes a quotation
with a comma and a dash before the attribution ("«...», — сказал он"; "..., — говорится в
сообщении"). English writes "said that ..." with no comma, and '"...," he said' with the comma
inside the quotation marks and no dash; "говорится в сообщении" is "the statement said".
"""

from __future__ import annotations

import re

from mtcheck.findings import Edit
from mtcheck.rewrite.repairs.base import Context, Transform


def comma_before_that(ctx: Context) -> str | None:
    doc = ctx.doc
    edits = []
    for t in doc[2:]:
        comma, before = doc[t.i - 1], doc[t.i - 2]
        if t.lower_ != "that" or comma.text != "," or t.i + 1 >= len(doc) or doc[t.i + 1].lower_ in ("is", "'s", "’s", ","):
            continue
        clause = t.head
        # "said, that ..." (a complementiser whose clause hangs on the verb before the comma) or
        # "information, that ..." (a restrictive relative on the noun before it); a comma that
        # closes an aside ("said, however, that") has another word before it.
        if t.dep_ == "mark" and t.tag_ == "IN" and before.tag_.startswith("VB") and clause.head == before:
            left = min(x.i for x in before.subtree if x.i < t.i)
            if before.dep_ == "parataxis" or (left > 0 and doc[left - 1].text == ","):
                continue  # the verb is an aside set off by commas: "..., or so it seems, that ..."
        else:  # a relative "that" after a comma is as often a resumed topic ("Cell phones, that is an issue")
            continue
        edits.append(Edit(before.idx + len(before.text), t.idx, " "))
    return ctx.edit(edits) if edits else None


_CLOSE = "”\"»"
_QUOTE_DASH = re.compile(r"([" + _CLOSE + r"])\s*,?\s*[—–]\s*(?=\w)")
_IN_DOCUMENT = re.compile(
    r"^(said|stated|noted|reported|says|states|notes|reports|written|indicated|emphasized|stressed)"
    r" in (?:the|a) (statement|message|report|release|communique|communiqué|document|letter)(?=[.!]?$)"
)
_PRESENT = {"says", "states", "notes", "reports"}


def quote_attribution(ctx: Context) -> str | None:
    text = ctx.text
    m = _QUOTE_DASH.search(text)
    if m is None or m.start() == 0:
        return None
    quote_mark = m.group(1)
    before = text[:m.start()]
    # The comma goes inside the quotation; a quotation ending in "?" or "!" takes none.
    inner = before if before[-1:] in "?!,." else before + ","
    attribution = text[m.end():]
    said = _IN_DOCUMENT.match(attribution.rstrip(".!"))
    if said:  # "говорится в сообщении": the document says it
        verb = "says" if said.group(1) in _PRESENT else "said"
        attribution = f"the {said.group(2)} {verb}{attribution[said.end():]}"
    return f"{inner}{quote_mark} {attribution}"


TRANSFORMS = (
    Transform(
        name="comma-before-that",
        description="A comma before 'that' opening a clause (Russian punctuation): removed.",
        apply=comma_before_that,
        examples=(
            ("The ministry said, that the strikes had stopped.", "The ministry said that the strikes had stopped."),
            ("Moscow is convinced, that the attacks are coordinated.", "Moscow is convinced that the attacks are coordinated."),
            ("The ministry said, however, that the strikes had stopped.", None),
            ("Give them water, or so it seems, that there is nowhere to sleep.", None),
            ("The ministry said that the strikes had stopped.", None),
            ("It was late, that is, after midnight.", None),
            ("Cell phones, that really is an issue.", None),
        ),
    ),
    Transform(
        name="quote-attribution",
        description="A quotation closed Russian-style with a comma and a dash before who said it "
                    "(“...”, — said X): the comma goes inside the quotation marks and the dash goes.",
        apply=quote_attribution,
        examples=(
            ("“The strikes will continue”, — said the Russian Defense Ministry.",
             "“The strikes will continue,” said the Russian Defense Ministry."),
            ("“The militants attacked the convoy”, — stated in the message.",
             "“The militants attacked the convoy,” the message said."),
            ("“Why now?” — asked the minister.", "“Why now?” asked the minister."),
            ("“The strikes will continue,” said the ministry.", None),
            ("The ministry — and the army — said nothing.", None),
        ),
    ),
)
