"""syntax rules (prefix X): sentences whose structure is broken, the way machine translation
from Russian breaks them.

Russian drops the copula, ends a sentence with "нет", leaves the subject implicit, and lets a
subordinate clause stand alone; word-for-word MT carries all of that into English. X102 is a
pattern; the other X1xx rules read the spaCy parse (``mtcheck.neural.parse``, attached to the
document once) and run only when the ``parse`` resource is on (``--parse``). X2xx, the neural
sentence-quality findings, live in ``mtcheck.rules.syntax_quality`` and join this family.

Every structural rule reports at most one finding per sentence (the most specific one), and
judges leniently where English allows looser syntax: headings and titles get only the
agreement check; reported quotes (``sentence.is_quote``) are spared the fragment and
no-verb checks, since speech is often elliptical.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from mtcheck.document import Document, Sentence
from mtcheck.english_words import word_lists
from mtcheck.findings import Finding, Severity
from mtcheck.rules import syntax_quality
from mtcheck.rules.base import Context, Family, Rule

PARSE = frozenset({"parse"})
_DAMAGE = "likely machine-translation damage"

NO_FINITE_VERB = Rule(
    code="X101",
    name="no-finite-verb",
    category="syntax",
    severity=Severity.WARNING,
    summary="Body sentence without a finite verb",
    why="Russian omits the present-tense 'to be' and often the predicate; a literal translation "
    "leaves a sentence with no verb that a reader can parse.",
    example="The shelling 25 wounded Syrian militias. → The shelling wounded 25 Syrian militiamen.",
    fix="none",
    needs=PARSE,
)
BARE_NEGATION = Rule(
    code="X102",
    name="bare-negation",
    category="syntax",
    severity=Severity.WARNING,
    summary="Sentence ending in a bare 'no' (Russian 'нет' word order)",
    why="Russian states absence as 'X in Y нет'; word-for-word MT gives '... in Y no.', which "
    "is not English.",
    example="Russian soldiers in the area no. → There are no Russian soldiers in the area.",
    fix="unsafe",
)
AGREEMENT = Rule(
    code="X103",
    name="subject-verb-agreement",
    category="syntax",
    severity=Severity.WARNING,
    summary="Subject and verb disagree in number",
    why="Russian agreement does not map onto English; MT often picks the number of the nearest "
    "noun or of the Russian word.",
    example="The cause of the incident were ... → The cause of the incident was ...",
    fix="unsafe",
    needs=PARSE,
)
FRAGMENT = Rule(
    code="X104",
    name="sentence-fragment",
    category="syntax",
    severity=Severity.WARNING,
    summary="Subordinate clause or participle phrase standing alone as a sentence",
    why="MT splits a Russian sentence at the wrong place, leaving 'As ...', 'While ...' or "
    "'Injuring ...' without the main clause it belongs to.",
    example="Injuring three commandos. → Three commandos were injured.",
    fix="none",
    needs=PARSE,
)
MISSING_SUBJECT = Rule(
    code="X105",
    name="missing-subject",
    category="syntax",
    severity=Severity.WARNING,
    summary="Finite verb without a subject (Russian impersonal construction)",
    why="Russian impersonal and indefinite-personal sentences ('Было решено', 'Сообщили') have "
    "no subject; English needs one ('It was decided', 'They reported').",
    example="Was decided to send the military police. → It was decided to send the military police.",
    fix="none",
    needs=PARSE,
)
VERBLESS_CLAUSE = Rule(
    code="X106",
    name="verbless-clause",
    category="syntax",
    severity=Severity.WARNING,
    summary="'that' clause without a verb",
    why="A clause introduced by 'that' needs its own verb; MT that drops the Russian verb leaves "
    "'demanded that the United States full explanation'.",
    example="demanded that the US full explanation → demanded a full explanation from the US",
    fix="none",
    needs=PARSE,
)

_OWN_RULES = (NO_FINITE_VERB, BARE_NEGATION, AGREEMENT, FRAGMENT, MISSING_SUBJECT, VERBLESS_CLAUSE)
RULES = _OWN_RULES + tuple(syntax_quality.RULES)

_PARSE_CODES = tuple(r.code for r in _OWN_RULES if r.needs)
# One structural finding per sentence: the most specific rule that fires wins.
_STRUCTURAL_ORDER = ("X102", "X104", "X105", "X106", "X101")

_IMPERATIVE_FINITE = frozenset({"thank", "please", "let"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"})
_MIN_WORDS_NO_VERB = 8
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_BARE_NO = re.compile(r"(?P<prev>[^\W\d_][\w’'-]*)[ \t,]+(?P<no>no)[ \t]*[.!…]+[\"”»’')\]]*\s*$")


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    structural: dict[int, dict[str, Finding]] = {}
    if ctx.on("X102"):
        for s in doc.sentences:
            f = _bare_negation(doc, s)
            if f is not None:
                structural.setdefault(s.index, {})["X102"] = f
    agreement: list[Finding] = []
    if "parse" in ctx.resources and any(ctx.on(c) for c in _PARSE_CODES):
        from mtcheck.neural.parse import document_parse

        parses = document_parse(doc)
        for s in doc.sentences:
            sdoc = parses[s.index]
            if ctx.on("X103"):
                agreement.extend(_agreement(doc, s, sdoc))
            found = structural.setdefault(s.index, {})
            for code, judge in (("X104", _fragment), ("X105", _missing_subject), ("X106", _verbless_clause), ("X101", _no_finite_verb)):
                if ctx.on(code) and not found:
                    f = judge(doc, s, sdoc)
                    if f is not None:
                        found[code] = f
    out = agreement
    for index, found in structural.items():
        for code in _STRUCTURAL_ORDER:
            if code in found:
                out.append(found[code])
                break
    out.sort(key=Finding.sort_key)
    yield from out
    yield from syntax_quality.check(doc, ctx)


# -- X102: bare negation (no parse needed) ---------------------------------------------------

def _bare_negation(doc: Document, s: Sentence) -> Finding | None:
    if s.kind != "body" or "?" in s.text:
        return None
    m = _bare_no(s.text)  # (first: it reads only the sentence's end)
    if m is None or len(_WORD.findall(s.text)) < 4 or m.group("prev").lower() in word_lists()["negation_ok_before"]:
        return None
    suggestion = _there_are_no(doc, s.text[: m.start("prev")] + m.group("prev"))
    return BARE_NEGATION.finding(
        doc, s.start, s.end,
        f"Sentence ends in a bare 'no' (Russian word order for 'there is no'): {_DAMAGE}",
        suggestion=suggestion, safe=False,
        data={"no_offset": s.start + m.start("no")},
    )


_CLOSING = "\"”»’')]"


def _bare_no(text: str) -> re.Match | None:
    """``_BARE_NO.search(text)``, in time linear in the sentence. The pattern is anchored at the
    end and its pieces use disjoint characters, so the only place a match can start is the
    word before the final "no"; the search starts at that word (found by reading the
    sentence's end backwards) instead of trying every position, each of which costs the rest
    of its word ("aaaa...a" would be quadratic)."""
    j = len(text)
    while j > 0 and text[j - 1].isspace():
        j -= 1
    while j > 0 and text[j - 1] in _CLOSING:
        j -= 1
    k = j
    while k > 0 and text[k - 1] in ".!…":
        k -= 1
    if k == j:
        return None
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    if text[k - 2:k] != "no" or k < 3:
        return None
    q = k - 2
    while q > 0 and text[q - 1] in " \t,":
        q -= 1
    if q == k - 2:
        return None
    r = q  # the start of the run of word characters, apostrophes and hyphens before "no"
    while r > 0 and (text[r - 1].isalnum() or text[r - 1] in "_’'-"):
        r -= 1
    return _BARE_NO.search(text, r) if r < q else None


def _there_are_no(doc: Document, body: str) -> str | None:
    """'Russian soldiers in X' -> 'There are no Russian soldiers in X.'"""
    body = body.strip().lstrip("\"“«'‘")
    words = body.split(maxsplit=1)
    if len(words) < 2:
        return None
    first, rest = words
    if first.lower() in ("the", "a", "an", "any"):
        first, _, rest = rest.partition(" ")
        if not first:
            return None
    if first[:1].isupper() and not first.isupper() and not _proper(doc, first):
        first = first[0].lower() + first[1:]
    return f"There are no {first} {rest}".rstrip(" ,") + "."


_AFTER_LOWER = re.compile(r"(?<=[a-z,;]) +(\w+)")


def _after_lower_case(doc: Document) -> dict[str, list[int]]:
    """Where each word run follows a lower-case letter, comma or semicolon and spaces, by the
    run: one pass over the text, once per document."""
    index = doc.user_data.get("syntax.after_lower")
    if index is None:
        index = {}
        for m in _AFTER_LOWER.finditer(doc.text):
            index.setdefault(m.group(1), []).append(m.start(1))
        doc.user_data["syntax.after_lower"] = index
    return index


def _written_after_lower_case(doc: Document, word: str) -> bool:
    """``re.search(r"[a-z,;] +" + re.escape(word) + r"\b", doc.text)``, from the index: the
    word starts with a word character, so it starts one of the indexed runs."""
    cache = doc.user_data.setdefault("syntax.proper", {})
    if word not in cache:
        head = re.match(r"\w*", word).group()
        if len(cache) < _DIRECT_SEARCHES or not head:
            cache[word] = _after_lower_somewhere(doc.text, word)
        elif head == word:
            # Many words asked: one pass over the text answers the rest. An indexed run is a
            # whole run of word characters, so ``word\b`` holds wherever one is the word: its
            # positions are not needed, only whether it is one of the runs.
            cache[word] = word in _runs_after_lower_case(doc)
        else:  # "U.S.", "Moscow's": the runs that are its head, then the rest of it
            rx = re.compile(re.escape(word) + r"\b")
            cache[word] = any(rx.match(doc.text, pos) for pos in _after_lower_case(doc).get(head, []))
    return cache[word]


def _runs_after_lower_case(doc: Document) -> frozenset[str]:
    """The word runs ``_after_lower_case`` indexes, without their positions: gathered by the
    regex engine (findall) without a Python step per run, once per document."""
    runs = doc.user_data.get("syntax.after_lower_runs")
    if runs is None:
        runs = doc.user_data["syntax.after_lower_runs"] = frozenset(_AFTER_LOWER.findall(doc.text))
    return runs


_DIRECT_SEARCHES = 16  # words searched for one by one before the index is built


def _after_lower_somewhere(text: str, word: str) -> bool:
    """``re.search(r"[a-z,;] +" + re.escape(word) + r"\b", text)``, faster: the pattern led by a
    character class tries every position; the word itself is a literal the regex engine
    skips to, and what must stand before it is read backwards from each occurrence (asked
    for the few sentence-initial words of X102's suggestions, not indexed for every word)."""
    for m in re.compile(re.escape(word) + r"\b").finditer(text):
        j = p = m.start()
        while j > 0 and text[j - 1] == " ":
            j -= 1
        if j < p and j > 0 and text[j - 1] in _LOWER_COMMA_SEMICOLON:
            return True
    return False


_LOWER_COMMA_SEMICOLON = frozenset("abcdefghijklmnopqrstuvwxyz,;")


def _proper(doc: Document, word: str) -> bool:
    """Whether a sentence-initial capitalised word keeps its capital elsewhere: written so
    after a lower-case word in this document, or (almost) never lower-case in news text."""
    if _written_after_lower_case(doc, word):
        return True
    from mtcheck.lexicon import lexicon

    return lexicon().count(word.lower()) < 2


# -- helpers over the parse -----------------------------------------------------------------

def _words(sdoc) -> list:
    return [t for t in sdoc if t.is_alpha or (t.text[:1].isalpha() and not t.is_punct)]


def _roots(sdoc) -> list:
    return [t for t in sdoc if t.dep_ == "ROOT" and not t.is_space and not t.is_punct]


def _first_word(sdoc):
    for t in sdoc:
        if not (t.is_punct or t.is_space):
            return t
    return None


def _possibly_finite(tok, past_forms: frozenset[str]) -> bool:
    if tok.tag_ in _FINITE_TAGS:
        return True
    if tok.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in tok.children):
        # "published", "said": past tense and participle are spelled alike, and the tagger may
        # pick the participle for a main verb.
        low = tok.lower_
        return low.endswith("ed") or low in past_forms or (tok.i > 0 and _subject_end(tok))
    if tok.tag_ == "JJ" and tok.lower_.endswith("ed") and tok.i > 0 and _subject_end(tok):
        return True  # "the Dow Jones Industrial Average closed business at ...": a past tense read as an adjective
    if tok.tag_ == "VB" and tok.dep_ == "ROOT":
        return True  # imperative
    return False


def _span_finding(rule: Rule, doc: Document, s: Sentence, message: str, data: dict | None = None) -> Finding:
    return rule.finding(doc, s.start, s.end, message, data=data)


# -- X101: no finite verb -------------------------------------------------------------------

def _no_finite_verb(doc: Document, s: Sentence, sdoc) -> Finding | None:
    if s.kind != "body" or s.is_quote:
        return None
    text = s.text.rstrip().rstrip("\"”»’')]")
    if text[-1:] in "?!" or ":" in s.text or not s.text[:1].isupper():
        return None  # questions, exclamations, "Label: content" lines, continuations
    words = _words(sdoc)
    if len(words) < _MIN_WORDS_NO_VERB:
        return None  # "Moscow.", "A nod of the head.": short verbless sentences are style
    proper = sum(1 for t in words if t.tag_ in ("NNP", "NNPS"))
    if proper / len(words) > 0.6:
        return None  # bylines, datelines, credits, lists of names
    past = word_lists()["past_forms"]
    if any(_possibly_finite(t, past) or _verb_tagged_as_noun(t) for t in sdoc):
        return None
    return _span_finding(NO_FINITE_VERB, doc, s, f"Sentence has no finite verb: {_DAMAGE}")


def _verb_tagged_as_noun(tok) -> bool:
    """"Sensors measure pressure", "Prices at the entry point rise each day", "The Italian
    claws back": a present-tense verb that the small tagger read as a noun or adjective. The
    word must be an English verb form (the pipeline's verb lexicon) and stand where a verb
    can: as the parser's root, or after a word that can end a subject (not after a
    determiner, a preposition or a possessive). Generous on purpose: it only ever keeps the
    no-verb rules from firing, at the cost of missing some verbless sentences."""
    if tok.tag_ not in ("NN", "NNS", "VB") or not tok.text.islower() or tok.i == 0:
        return False  # not adjectives: "the United States full explanation" is not "fulls"
    from mtcheck.neural.parse import verb_lemmas

    low = tok.lower_
    verbs = verb_lemmas()
    if not (low in verbs or (low.endswith("s") and (low[:-1] in verbs or (low.endswith("es") and low[:-2] in verbs)
                                                   or (low.endswith("ies") and low[:-3] + "y" in verbs)))):
        return False
    if tok.dep_ == "ROOT":
        return True
    return _subject_end(tok)


def _subject_end(tok) -> bool:
    """Whether the word before ``tok`` (past a comma, dash or closing quote) can end a subject."""
    i = tok.i - 1
    while i > 0 and tok.doc[i].text in (",", "-", "—", "”", "\"", "'", "’", ")"):
        i -= 1
    before = tok.doc[i]
    if before.lower_ in ("the", "a", "an") or before.tag_ in ("IN", "PRP$", "POS", "TO", "DT"):
        return False
    return before.tag_ in ("NN", "NNS", "NNP", "NNPS", "PRP", "CD") or (i == 0 and before.text[:1].isupper())


# -- X104: fragments ------------------------------------------------------------------------

def _fragment(doc: Document, s: Sentence, sdoc) -> Finding | None:
    text = s.text.rstrip().rstrip("\"”»’')]")
    if s.kind != "body" or s.is_quote or text[-1:] in "?:":
        return None
    first = _first_word(sdoc)
    roots = _roots(sdoc)
    if first is None or len(roots) != 1:
        return None
    root = roots[0]
    subordinators = word_lists()["subordinators"]
    lead = first.lower_
    two = " ".join(t.lower_ for t in sdoc[first.i: first.i + 2])
    if (lead in subordinators or two in subordinators) and root.pos_ in ("VERB", "AUX"):
        marks = [c for c in root.children if c.dep_ == "mark"]
        if marks and marks[0].i == first.i and not _has_main_clause(sdoc, first, root):
            return _span_finding(
                FRAGMENT, doc, s,
                f"Subordinate clause ('{first.text} ...') without a main clause: {_DAMAGE}",
                data={"kind": "subordinate", "conjunction": first.text},
            )
    past = word_lists()["past_forms"]
    if (
        root.i == first.i and root.tag_ == "VBG"
        and not any(c.dep_ in _SUBJECT_DEPS | {"aux", "auxpass"} for c in root.children)
        and not any(_possibly_finite(t, past) or _verb_tagged_as_noun(t) for t in sdoc)
    ):
        return _span_finding(
            FRAGMENT, doc, s,
            f"Participle phrase ('{first.text} ...') standing alone as a sentence: {_DAMAGE}",
            data={"kind": "participle"},
        )
    return None


def _has_main_clause(sdoc, mark, root) -> bool:
    """Whether the parser's root clause is really subordinate but a main clause follows it
    ("While there, he told ...", "As questions continue ..., voters are satisfied"): a comma
    between the conjunction and the root, or a later clause with its own subject that is not
    introduced by a conjunction of its own, after a comma."""
    if any(t.text == "," for t in sdoc[mark.i + 1: root.i]):
        return True
    for c in root.children:
        if c.i > root.i and c.dep_ in ("conj", "advcl", "ccomp", "parataxis") and c.pos_ in ("VERB", "AUX") and any(t.text == "," for t in sdoc[root.i + 1: c.i]):
            has_subject = any(x.dep_ in _SUBJECT_DEPS for x in c.children)
            introduced = any(x.dep_ in ("mark", "cc") for x in c.children) or any(t.tag_ == "CC" for t in sdoc[root.i + 1: c.i])
            if has_subject and not introduced:
                return True
    return False


# -- X105: missing subject ------------------------------------------------------------------

def _missing_subject(doc: Document, s: Sentence, sdoc) -> Finding | None:
    text = s.text.rstrip().rstrip("\"”»’')]")
    if s.kind != "body" or s.is_quote or text[-1:] in "?!":
        return None
    first = _first_word(sdoc)
    if first is None or not first.text[:1].isupper() or first.tag_ == "CC":
        return None  # "and had risen ...", "And does so ...": a continuation, not a sentence of its own
    roots = _roots(sdoc)
    if len(roots) != 1 or len(_words(sdoc)) < 3:
        return None
    root = roots[0]
    if root.pos_ not in ("VERB", "AUX") or root.tag_ == "VB" or root.lower_ in _IMPERATIVE_FINITE:
        return None  # imperatives ("Don't conclude ...", "Thank you ...") have no subject either
    if any(c.dep_ in _SUBJECT_DEPS for c in root.children):
        return None
    finite = [t for t in [*(c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i), root] if t.tag_ in _FINITE_TAGS]
    if not finite:
        return None
    if first.i != finite[0].i:
        # Only a sentence that opens with its verb: elsewhere a missing subject is far more
        # often the parser's ("In Ekaterinburg police are searching ...": police taken into the PP).
        return None
    return _span_finding(
        MISSING_SUBJECT, doc, s,
        f"Sentence starts with the verb '{first.text}' and has no subject (Russian impersonal construction): {_DAMAGE}",
        data={"verb": finite[0].text},
    )


# -- X106: verbless 'that' clause -----------------------------------------------------------

def _verbless_clause(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """'that' opening a clause (after a verb: "demanded that ...") whose head the parser could
    only find in a noun, with no verb anywhere after it."""
    if s.kind != "body" or s.is_quote:
        return None
    for t in sdoc:
        if t.lower_ != "that" or t.dep_ != "mark" or t.i == 0:
            continue
        head = t.head
        if head.pos_ not in ("NOUN", "PROPN", "ADJ") or head.i < t.i + 2:
            continue  # "learned that lesson": a determiner the parser called a conjunction
        if sdoc[t.i - 1].pos_ not in ("VERB", "AUX"):
            continue
        if any(x.pos_ in ("VERB", "AUX") or x.tag_.startswith("VB") or x.tag_ == "MD" or _verb_tagged_as_noun(x) for x in sdoc[t.i + 1:]):
            continue
        return _span_finding(
            VERBLESS_CLAUSE, doc, s,
            f"The clause after '{sdoc[t.i - 1].text} that' has no verb: {_DAMAGE}",
            data={"clause_start": s.start + t.idx},
        )
    return None


# -- X103: subject-verb agreement -----------------------------------------------------------

# "I" and "you" are left out: "I was" is right, and a "you" subject is rarely the machine's.
_SG_PRONOUNS = frozenset({"he", "she", "it"})
_PL_PRONOUNS = frozenset({"we", "they"})
_SWAP = {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has", "does": "do", "do": "does"}
_CLAUSE_BREAKS = frozenset({"(", ")", "[", "]", "—", "–", "-", "--", ";", ":", ","})
_SUBJUNCTIVE_CUES = frozenset({"if", "wish", "though", "unless", "whether", "rather", "suppose", "imagine"})


def _agreement(doc: Document, s: Sentence, sdoc) -> Iterator[Finding]:
    """A verb that disagrees both with its subject and with the nearest noun before it.

    Agreement with the nearest noun ("the number of attacks are") is a slip human writers
    make too; disagreeing with every candidate ("the cause of the incident were") is the
    machine's. Names, quantities ("79 points is"), coordinated subjects, questions and
    anything the parser may have mis-attached (a quote, a dash or a parenthesis in between,
    an inverted subject) are left alone."""
    if "?" in s.text:
        return
    lists = word_lists()
    for subj in sdoc:
        if subj.dep_ not in ("nsubj", "nsubjpass"):
            continue
        number = _subject_number(subj, lists)
        if number is None:
            continue
        verb = _finite_form(subj.head)
        if verb is None or verb.i < subj.i:
            continue
        between = sdoc[subj.left_edge.i: verb.i]
        if any(t.text in _CLAUSE_BREAKS or t.tag_ == "CC" or t.is_quote for t in between):
            continue
        if _object_of_preposition(subj):
            continue  # "the wave of artists was": the parser took the wrong noun
        if subj.tag_ == "PRP":
            if verb.i - subj.i > 2 or (subj.i > 0 and sdoc[subj.i - 1].pos_ in ("VERB", "AUX", "ADP")):
                continue  # "on seeing you is": a pronoun subject opens its clause, next to its verb
        verb_number = _verb_number(verb)
        if verb_number is None or verb_number == number:
            continue
        nearest = _nearest_noun_number(sdoc, subj.i, verb.i)
        if nearest is not None and nearest != number:
            continue
        if any(c.dep_ == "attr" and _noun_number(c) == verb_number for c in verb.children):
            continue  # "the error were the interventions": agreement with the complement
        if verb.lower_ == "were" and (subj.tag_ == "PRP" or any(t.lower_ in _SUBJUNCTIVE_CUES for t in sdoc[: verb.i])):
            continue  # "as it were", "if he were"
        start = s.start + verb.idx
        end = start + len(verb.text)
        low = verb.lower_
        suggestion = None
        if low in _SWAP:
            suggestion = _SWAP[low] if verb.text.islower() else _SWAP[low].capitalize()
        noun = "singular" if number == "sg" else "plural"
        yield AGREEMENT.finding(
            doc, start, end,
            f"'{verb.text}' does not agree with its {noun} subject '{subj.text}': {_DAMAGE}",
            suggestion=suggestion, safe=False,
            data={"subject": subj.text, "subject_offset": s.start + subj.idx, "subject_number": noun},
        )


def _object_of_preposition(subj) -> bool:
    """Whether the subject noun, across its own modifiers, follows 'of', a hyphen, a
    preposition or a verb: then it is an object the parser promoted ("the wave of artists
    was", "Renting textbooks is")."""
    doc = subj.doc
    i = subj.i - 1
    while i >= 0 and (doc[i].tag_ in ("JJ", "JJR", "JJS", "DT", "CD", "PRP$", "RB", "NN", "NNP") and doc[i].dep_ in ("amod", "det", "nummod", "poss", "advmod", "compound")):
        i -= 1
    if i < 0:
        return False
    prev = doc[i]
    return prev.lower_ == "of" or prev.tag_ == "HYPH" or prev.text in ("-", ",") or prev.pos_ in ("ADP", "VERB")


def _nearest_noun_number(sdoc, after: int, before: int) -> str | None:
    for t in reversed(sdoc[after + 1: before]):
        number = _noun_number(t)
        if number is not None:
            return number
    return None


def _noun_number(tok) -> str | None:
    if tok.tag_ in ("NNS", "NNPS"):
        return "pl"
    if tok.tag_ in ("NN", "NNP"):
        return "sg"
    return None


def _subject_number(subj, lists) -> str | None:
    low = subj.lower_
    if any(c.dep_ in ("conj", "cc") for c in subj.children) or subj.dep_ == "conj":
        return None
    if subj.tag_ == "PRP":
        return "sg" if low in _SG_PRONOUNS else "pl" if low in _PL_PRONOUNS else None
    if not subj.text[:1].islower() or not subj.is_alpha:
        return None  # names ("Reuters", "United States") take either number
    if any(c.dep_ == "nummod" for c in subj.children):
        return None  # quantities: "79 points is good enough"
    if subj.tag_ == "NNS" and low not in lists["singular_plurals"] and low.endswith("s"):
        return "pl"
    if subj.tag_ == "NN" and low not in lists["collective_nouns"] and not low.endswith("s"):
        return "sg"
    return None


def _finite_form(head):
    candidates = [c for c in head.children if c.dep_ in ("aux", "auxpass") and c.i < head.i] + [head]
    for t in candidates:
        if t.tag_ == "MD":
            return None
        if t.tag_ in ("VBZ", "VBP") or t.lower_ in ("was", "were"):
            return t
    return None


def _verb_number(verb) -> str | None:
    """The number a finite form of be/have/do shows. Lexical verbs are left alone: a base
    form after a singular subject is often a subjunctive ("demanded that the bank take"), a
    past tense ("that person fit") or a modal ("he need not"), and a noun/verb in -s is the
    tagger's commonest mistake ("which converts bitcoins")."""
    low = verb.lower_
    if low in ("was", "is", "has", "does"):
        return "sg"
    if low in ("were", "are", "have", "do"):
        return "pl"
    return None


FAMILY = Family(name="syntax", prefix="X", rules=RULES, check=check)
