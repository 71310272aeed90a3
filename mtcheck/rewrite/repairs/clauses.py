"""Clause structure: the subjectless impersonal passive, the bare negation at the end, and
fragments (a participle phrase, a subordinate clause) standing alone as sentences.

Russian has impersonal passives without a subject ("Было решено направить" -> "Was decided to
send"), a negative existential with the negation last ("Российских военных в районе нет" ->
"Russian soldiers in the area no.") and punctuation that lets a participle phrase or a
"При этом ..." clause stand as a sentence; English needs "It was decided", "There are no ...",
and the fragment joined to the sentence it belongs to.
"""

from __future__ import annotations

from mtcheck.rewrite.repairs.base import Context, Transform, body_end, final_punct, lowered, plural
from mtcheck.rewrite.repairs.data import word_list

_FINITE = {"VBD", "VBZ", "VBP", "MD"}
_MAX_FRAGMENT_WORDS = 14  # a longer "fragment" is more likely a parse error than a stray phrase


def impersonal_passive(ctx: Context) -> str | None:
    doc, text = ctx.doc, ctx.text
    low = text.lower()
    aux = next((a for a in sorted(word_list("impersonal_auxiliaries"), key=len, reverse=True)
                if low.startswith(a + " ")), None)
    if aux is None:
        return None
    n_aux = len(aux.split())
    rest = [t for t in doc[n_aux:] if not (t.tag_ == "RB" or t.dep_ == "neg")]
    if not rest or rest[0].tag_ != "VBN":
        return None
    verb = rest[0]
    # An impersonal passive reports a decision or a statement: its participle takes a "to" or
    # "that" clause. "Was killed a soldier" is an inverted subject, not an impersonal one.
    if not any(c.dep_ in ("xcomp", "ccomp") for c in verb.children):
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in verb.children):
        return None
    return f"It {lowered(doc[0])}{text[len(doc[0].text):]}"


def bare_negation(ctx: Context) -> str | None:
    doc = ctx.doc
    end = body_end(doc)
    # "... no." in lower case: "No." is an abbreviation (number), and "..., no." an answer.
    if end < 4 or doc[end - 1].text != "no" or not final_punct(doc).startswith(".") or doc[end - 2].is_punct:
        return None
    body = list(doc[:end - 1])
    if any(t.tag_ in _FINITE or t.tag_ == "VB" for t in body) or body[0].lower_ in ("there", "no", "yes"):
        return None
    if body and body[0].lower_ == "the":  # "There are no the ..." is not English
        body = body[1:]
    nouns = [t for t in body if t.pos_ in ("NOUN", "PROPN")]
    if len(body) < 2 or not nouns:
        return None
    # The noun phrase's head: the last noun before the first preposition.
    head = nouns[0]
    for t in body:
        if t.tag_ == "IN":
            break
        if t.pos_ in ("NOUN", "PROPN"):
            head = t
    verb = "are" if plural(head) else "is"
    phrase = doc[body[0].i:body[-1].i + 1].text
    phrase = lowered(body[0]) + phrase[len(body[0].text):]
    return f"There {verb} no {phrase}{final_punct(doc)}"


def prepositional_subject(ctx: Context) -> str | None:
    """"В Кремле заявили" -> "In the Kremlin said": the speaker in a prepositional phrase before
    a reporting verb that has no subject. The preposition goes: "the Kremlin said"."""
    doc = ctx.doc
    reporting = word_list("reporting_verbs")
    for verb in doc:
        if verb.lower_ not in reporting or verb.tag_ not in ("VBD", "VBZ", "VBP"):
            continue
        if any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux", "auxpass", "csubj") for c in verb.children):
            continue
        preps = [c for c in verb.children if c.dep_ == "prep" and c.i < verb.i and c.lower_ in ("in", "at")]
        if len(preps) != 1:
            continue
        prep = preps[0]
        span = sorted(t.i for t in prep.subtree)
        pobj = [c for c in prep.children if c.dep_ == "pobj"]
        if span[-1] + 1 != verb.i or len(pobj) != 1 or not _institution(pobj[0]):
            # The phrase must stand right before the verb and name an institution, which
            # speaks for itself ("in the ministry said"); a place does not ("In Stavropol
            # warned": officials there did, and which ones the sentence does not say).
            continue
        before = doc[prep.i - 1] if prep.i > 0 else None
        if before is not None and not (before.dep_ == "mark" or before.lower_ in ("that", ",", "and", "but")):
            continue  # only at the start of a clause
        rest = ctx.text[doc[prep.i + 1].idx:]
        if prep.i == 0:
            return rest[:1].upper() + rest[1:]
        return ctx.text[:prep.idx] + rest
    return None


def _institution(token) -> bool:
    phrase = " ".join(t.text for t in token.subtree)
    return token.lower_ in word_list("institution_heads") or any(
        phrase == name or phrase.endswith(" " + name) for name in word_list("article_names"))


def _joinable_previous(previous: str | None) -> str | None:
    """The previous sentence without its full stop, when a fragment can be joined to it."""
    if not previous:
        return None
    prev = previous.rstrip()
    if not prev.endswith(".") or prev.endswith("..") or len(prev) < 2 or not (prev[-2].isalnum() or prev[-2] == ")"):
        return None
    last_word = prev[:-1].split()[-1] if prev[:-1].split() else ""
    if "." in last_word:  # "U.S." or "a.m.": the full stop is part of the word
        return None
    return prev[:-1]


def _fragment_words(doc) -> bool:
    return 2 <= len([t for t in doc if not t.is_punct]) <= _MAX_FRAGMENT_WORDS


def participle_fragment(ctx: Context) -> str | None:
    doc = ctx.doc
    prev = _joinable_previous(ctx.previous)
    if prev is None or not _fragment_words(doc) or not final_punct(doc).startswith("."):
        return None
    first = doc[0]
    if first.tag_ != "VBG" or first.dep_ != "ROOT":
        return None
    if any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in doc) or any(t.tag_ in _FINITE for t in doc):
        return None
    return f"{prev}, {lowered(first)}{ctx.text[len(first.text):]}"


def subordinate_fragment(ctx: Context) -> str | None:
    doc = ctx.doc
    prev = _joinable_previous(ctx.previous)
    if prev is None or not final_punct(doc).startswith("."):
        return None
    first = doc[0]
    if first.lower_ not in word_list("subordinators") or first.dep_ != "mark" or first.head.dep_ != "ROOT":
        return None
    if len(doc) > 3 * _MAX_FRAGMENT_WORDS:
        return None
    return f"{prev}, {first.lower_}{ctx.text[len(first.text):]}"


_NP_START = ("DT", "PRP$", "JJ", "JJS", "NN", "NNS", "NNP", "NNPS", "PRP", "CD")
_DASHES = (",", ";", ":", "—", "–")


def while_fragment(ctx: Context) -> str | None:
    """"При этом ..." / "В то время как ..." standing alone: "While the ministry pointed out
    that ..." has no main clause. Where it cannot be joined to the sentence before (another
    paragraph, or the join is refused), "Meanwhile," makes it a sentence."""
    doc = ctx.doc
    if len(doc) < 4:
        return None
    first, root = doc[0], doc[0].head
    if first.lower_ not in ("while", "whereas") or first.dep_ != "mark" or root.dep_ != "ROOT":
        return None
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if doc[1].tag_ not in _NP_START or len(subjects) != 1 or not 0 < subjects[0].i < root.i:
        return None
    if any(t.text in _DASHES for t in doc[1:root.i]):
        return None  # "While there, he met ...": the main clause comes after the comma
    for t in root.children:
        if t.dep_ in ("conj", "parataxis", "advcl") and t.i > root.i and \
                any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in t.children) and \
                any(x.text in _DASHES for x in doc[root.i:t.i]):
            return None  # "While my breath caught ..., Michael scored": the main clause follows
    return "Meanwhile, " + lowered(doc[1]) + ctx.text[doc[1].idx + len(doc[1].text):]


_PLACE_ADVERBS = {"there", "here"}


def subjectless_report(ctx: Context) -> str | None:
    """"Сообщили, что ..." / "Там заявили, что ..." (the speaker left out, as Russian may):
    "Reported that ...", "There stated that ..." -> "It was reported that ...", "It was stated
    there that ..."."""
    doc = ctx.doc
    start, place, also = 0, None, False
    if doc[0].lower_ in _PLACE_ADVERBS and doc[0].dep_ in ("advmod", "expl"):
        place, start = doc[0], 1
    elif doc[0].lower_ == "also":
        also, start = True, 1
    if start >= len(doc) - 3:
        return None
    verb = doc[start]
    # The past participle of a reporting verb is its past tense ("stated", "said"): only those.
    if verb.lower_ not in word_list("reporting_verbs") or verb.tag_ not in ("VBD", "VBN") \
            or not verb.lower_.endswith(("ed", "said")):
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl", "aux", "auxpass", "dobj") and (place is None or c.i != place.i) for c in verb.children):
        return None  # it has a subject ("There" aside), or an object ("told them that")
    end = start + 1
    if verb.lower_ == "pointed" and end < len(doc) and doc[end].lower_ == "out":
        end += 1
    if end >= len(doc) or doc[end].lower_ != "that":
        return None
    where = f" {place.lower_}" if place is not None else ""
    return f"It was{' also' if also else ''} {doc[start:end].text.lower()}{where}{ctx.text[doc[end - 1].idx + len(doc[end - 1].text):]}"


TRANSFORMS = (
    Transform(
        name="subjectless-report",
        description="A reporting verb with no subject at the start ('Reported that ...', 'There "
                    "stated that ...'; Russian leaves the speaker out): 'It was reported that ...'.",
        apply=subjectless_report,
        examples=(
            ("There stated that the task of attacking the army was not raised.",
             "It was stated there that the task of attacking the army was not raised."),
            ("Reported that she spent many years in the city.", "It was reported that she spent many years in the city."),
            ("Also noted that the talks failed.", "It was also noted that the talks failed."),
            ("There was a statement that the talks failed.", None),
            ("Told them that the talks failed.", None),
            ("The ministry reported that the talks failed.", None),
        ),
    ),
    Transform(
        name="while-fragment",
        description="A sentence that is only a 'While ...' clause (Russian 'При этом ...'): "
                    "'Meanwhile, ...'.",
        apply=while_fragment,
        examples=(
            ("While the Russian Foreign Ministry pointed out that the United States had warned Russia.",
             "Meanwhile, the Russian Foreign Ministry pointed out that the United States had warned Russia."),
            ("Whereas a fake registration is done quickly and costs little.",
             "Meanwhile, a fake registration is done quickly and costs little."),
            ("While the army advanced, the militants fled.", None),
            ("While there, he met the designer and married her.", None),
            ("While my breath caught in my throat, Michael scored a lot of points.", None),
            ("While cross-examining the witness, the prosecutor asserted that the records were false.", None),
        ),
    ),
    Transform(
        name="impersonal-passive",
        description="A passive with no subject at the start of the sentence (Russian impersonal "
                    "construction): 'It' is put back.",
        apply=impersonal_passive,
        examples=(
            ("Was decided to send the Russian military police.", "It was decided to send the Russian military police."),
            ("Is expected that the talks will resume next week.", "It is expected that the talks will resume next week."),
            ("Has been decided to close the border crossing.", "It has been decided to close the border crossing."),
            ("Was killed a soldier of the battalion.", None),
            ("It was decided to send the police.", None),
            ("Was the decision to send the police right?", None),
        ),
    ),
    Transform(
        name="prepositional-subject",
        description="Who speaks, in a prepositional phrase before a reporting verb with no subject "
                    "('In the Kremlin said', Russian 'В Кремле заявили'): the preposition goes.",
        apply=prepositional_subject,
        examples=(
            ("In the Kremlin said that the talks had failed.", "The Kremlin said that the talks had failed."),
            ("In the Pentagon stated that the strikes would continue.", "The Pentagon stated that the strikes would continue."),
            ("While in the military pointed out that the air force continues its strikes.",
             "While the military pointed out that the air force continues its strikes."),
            ("In the ministry noted that the border remains closed.", "The ministry noted that the border remains closed."),
            ("In Moscow, officials said that the talks had failed.", None),
            ("In the statement was said that the talks had failed.", None),
            ("In the area exploded a bomb.", None),
            ("In two Mexican states announced the alarm.", None),
        ),
    ),
    Transform(
        name="bare-negation",
        description="A sentence ending in a bare 'no' (Russian 'нет' for 'there is no'): "
                    "'There is/are no ...'.",
        apply=bare_negation,
        examples=(
            ("Russian soldiers in the area of the Syrian province of Deir ez-Zor no.",
             "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor."),
            ("Information about the victims so far no.", "There is no information about the victims so far."),
            ("The answer was no.", None),
            ("He said no.", None),
            ("Your feet specifically, no.", None),
            ("Then, on lap 122 after a restart, Busch's No.", None),
            ("There are no soldiers in the area.", None),
        ),
    ),
    Transform(
        name="participle-fragment",
        description="A participle phrase standing alone as a sentence: joined to the sentence before it.",
        apply=participle_fragment,
        joins_previous=True,
        examples=(
            ("Special forces broke through the encirclement.\nInjuring three commandos.",
             "Special forces broke through the encirclement, injuring three commandos."),
            ("The militants shelled the town overnight.\nKilling two civilians and wounding five.",
             "The militants shelled the town overnight, killing two civilians and wounding five."),
            ("Special forces broke through the encirclement.\nInjuring three commandos was a mistake.", None),
            ("What happened next?\nInjuring three commandos.", None),
        ),
    ),
    Transform(
        name="subordinate-fragment",
        description="A subordinate clause ('As ...', 'While ...') with no main clause, standing "
                    "alone as a sentence: joined to the sentence before it.",
        apply=subordinate_fragment,
        joins_previous=True,
        examples=(
            ("The ministry said the operation had allowed the SDF to redeploy forces.\n"
             "As the Syrian army and the SDF declare their intention to retake the city.",
             "The ministry said the operation had allowed the SDF to redeploy forces, "
             "as the Syrian army and the SDF declare their intention to retake the city."),
            ("The ministry said the operation had ended.\nWhile the army was retreating, the militants attacked.", None),
            ("The ministry said the operation had ended.\nAs expected, the talks failed.", None),
        ),
    ),
)
