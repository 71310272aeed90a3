"""Word order: the Russian fronted adverbial with the subject after a passive verb.

Russian puts the time or place first and the subject after the verb ("15 сентября был проведён
шестой раунд"); MT keeps the order: "15 September was held the sixth round of negotiations".
English wants the subject before the verb and the adverbial set off: "On 15 September, the
sixth round of negotiations was held".
"""

from __future__ import annotations

from mtcheck.rewrite import protect
from mtcheck.rewrite.repairs.base import Context, Transform, agree, body_end, capitalised, plural
from mtcheck.rewrite.repairs.data import word_list

_BE = {"was", "were", "is", "are", "be", "been", "being"}
_FINITE_AUX = {"was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could", "may",
               "might", "must", "should"}
_NP_START = {"DT", "PDT", "JJ", "JJR", "JJS", "CD", "NN", "NNS", "NNP", "NNPS", "PRP$"}
_TIME_NOUNS = {"week", "month", "year", "weekend", "night", "morning", "evening", "monday", "tuesday",
               "wednesday", "thursday", "friday", "saturday", "sunday", "spring", "summer", "autumn", "winter"}
_NOT_FRONTING = {"that", "if", "whether", "than"}  # an IN tag that does not open a fronted phrase


def _date_adverbial(tokens) -> str | None:
    """The preposition a bare fronted time phrase needs ("" when it needs none), or None when
    the tokens are not a time phrase."""
    words = [t.text for t in tokens]
    lowered = [w.lower().rstrip(".") for w in words]
    text = " ".join(words)
    if len(words) == 1 and lowered[0] in word_list("temporal_adverbs"):
        return ""
    if lowered[0] in ("last", "next", "this") and len(words) == 2 and lowered[1] in _TIME_NOUNS:
        return ""
    has_month = bool(protect.months(capitalised(text)))
    for t, low in zip(tokens, lowered):
        if not (t.like_num or protect.months(capitalised(t.text)) or low in ("of", "the")):
            return None
    days = [t for t in tokens if t.like_num and len(t.text) <= 2]
    if has_month and days:
        return "On"
    if has_month or any(t.like_num and len(t.text) == 4 for t in tokens):
        return "In"
    return None


def _subject_after_verb(doc, verb) -> tuple[int, int, object] | None:
    """(start, end, head) of the noun phrase right after ``verb`` that is its real subject,
    cut before a comma or a relative clause (which stay after the verb)."""
    start = verb.i + 1
    if start >= len(doc) or doc[start].tag_ not in _NP_START:
        return None
    head = next((t for t in doc[start:body_end(doc)] if t.head == verb and t.pos_ in ("NOUN", "PROPN")), None)
    if head is None:
        return None
    inside = {t.i for t in head.subtree}
    if any(i not in inside for i in range(start, head.i + 1)):
        return None
    end = start
    for t in doc[start:body_end(doc)]:
        # A restrictive relative ("the watches that have been equipped") stays with its noun;
        # what follows a comma or a dash stays after the verb.
        if t.i not in inside or t.text in (",", ";", "—", "–", "("):
            break
        end = t.i + 1
    if end <= head.i:
        return None
    # A phrase right after the noun phrase that the parse hangs on the verb ("was adopted the
    # law on the budget") may belong to the noun: which one is not clear, so abstain.
    if end < body_end(doc) and doc[end].dep_ == "prep" and doc[end].head == verb:
        return None
    return start, end, head


def fronted_passive(ctx: Context) -> str | None:
    doc = ctx.doc
    # The finite auxiliary after the fronted phrase, and the passive participle it carries.
    aux = next((t for t in doc if t.lower_ in _FINITE_AUX and t.tag_ in ("VBD", "VBZ", "VBP", "MD")), None)
    if aux is None or aux.i == 0:
        return None
    verb = None
    chain = [aux]
    for t in doc[aux.i + 1:]:
        if t.tag_ == "VBN":
            verb = t
            break
        if t.lower_ in _BE or t.dep_ in ("neg", "advmod") or t.lower_ == "not":
            chain.append(t)
            continue
        return None
    if verb is None or not any(t.lower_ in _BE for t in chain):
        return None
    if any(c.dep_ == "conj" and c.tag_.startswith("VB") for c in verb.children):
        return None  # "was attached a photograph and was specified ...": two inversions, one verb moved
    front = doc[0:aux.i]
    if any(t.tag_.startswith("VB") or t.tag_ == "MD" or t.text in (",", ";", ":") for t in front):
        return None
    if front[0].tag_ == "IN" and front[0].lower_ not in _NOT_FRONTING | word_list("subordinators"):
        # A prepositional phrase, all of it: "In May the agreement was signed" has a subject.
        if {t.i for t in front[0].subtree} != set(range(0, aux.i)):
            return None
        preposition = ""
    else:
        preposition = _date_adverbial(front)
        if preposition is None:
            return None
    subject = _subject_after_verb(doc, verb)
    if subject is None:
        return None
    start, end, head = subject
    if any(t.is_punct and t.text not in ("-", "'", "’") for t in doc[start:end]) or (
            end < body_end(doc) and doc[end].is_punct and doc[end].text not in (",", ";", "—", "–", "(")):
        return None  # "15 m / s": the noun phrase does not end cleanly
    after = [t.lower_ for t in doc[end:end + 2]]
    if after[:1] == [","] and after[1:] and after[1] in ("who", "whom", "whose"):
        return None  # "X will be appointed, who was ...": the relative clause needs its person
    front_text = front.text
    if preposition:
        first = front[0]
        if not (first.like_num or first.tag_ in ("NNP", "NNPS") or protect.months(first.text)):
            front_text = first.text.lower() + front_text[len(first.text):]
        front_text = f"{preposition} {front_text}"
    np = doc[start:end].text
    verb_group = " ".join([agree(chain[0].text, plural(head)).lower()] + [t.text for t in chain[1:]] + [verb.text])
    rest = doc.text[doc[end - 1].idx + len(doc[end - 1].text):]
    return f"{capitalised(front_text)}, {np} {verb_group}{rest}"


TRANSFORMS = (
    Transform(
        name="fronted-passive",
        description="A fronted time or place phrase with the subject after a passive verb (Russian "
                    "word order): the subject goes before the verb, the phrase is set off with a comma.",
        apply=fronted_passive,
        examples=(
            ("15 September was held the sixth round of negotiations, which failed to agree on the zones.",
             "On 15 September, the sixth round of negotiations was held, which failed to agree on the zones."),
            ("In the village were found the bodies of two soldiers.",
             "In the village, the bodies of two soldiers were found."),
            ("In 2016 was signed a new agreement on the border.",
             "In 2016, a new agreement on the border was signed."),
            ("Yesterday was adopted the law.", "Yesterday, the law was adopted."),
            ("Yesterday was adopted the law on the budget.", None),
            ("In May the agreement was signed by both sides.", None),
            ("In the region is expected wind up to 15 m / s.", None),
            ("To this message was attached a photograph and was specified all of his data.", None),
            ("In his place will be appointed Ivan Petrov, who was the head of the fund.", None),
            ("On Monday, the talks were held in Geneva.", None),
            ("The meeting was held in Geneva.", None),
        ),
    ),
)
