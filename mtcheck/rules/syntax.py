"""syntax rules (prefix X): sentences whose structure is broken, the way machine translation
from Russian breaks them.

Russian drops the copula, ends a sentence with "нет", leaves the subject implicit, lets a
subordinate clause stand alone, fronts the time or place and puts the subject after the verb,
marks "of" and "to" with case endings, and punctuates by its own rules (a comma before "что",
a dash before the speaker's words), and governs objects with prepositions English does not use
('обвинить в' → 'accused ... in'); word-for-word MT carries all of that into English. X102
and X113 are patterns; the other X1xx rules read the spaCy parse (``mtcheck.neural.parse``,
attached to the document once) and run only when the ``parse`` resource is on (``--parse``).
The closed word classes they read (prepositions after which English itself inverts, calendar
words, double-object participles ...) are data, in ``mtcheck/data/syntax.toml``. X2xx, the
neural sentence-quality findings, live in ``mtcheck.rules.syntax_quality`` and join this family.

Every structural rule reports at most one finding per sentence (the most specific one; a
sentence repeated in the story, a headline printed twice, is judged once), and judges
leniently where English allows looser syntax: headings and titles get only the agreement
check and X105's participle-opener case (a line cut off on 'the' is the boilerplate family's
B107, not X114); reported quotes (``sentence.is_quote``) are spared the fragment, no-verb
and word-order checks, since speech is often elliptical, except for their attribution
(X105, X107, X113). Verbless and
subordinate sentences that English writes on purpose (a list of noun phrases, a connective
opening, an 'If ...' or 'Because ...' afterthought) are style, not damage: professional
translators write them too (``scripts/eval_rules_fp.py`` on newstest).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterable, Iterator

from mtcheck.data import load_toml, words
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

INVERSION = Rule(
    code="X107",
    name="verb-before-subject",
    category="syntax",
    severity=Severity.WARNING,
    summary="Verb before its subject after a fronted date or phrase (Russian word order)",
    why="Russian puts the time or place first and the subject after the verb ('15 сентября "
    "прошёл шестой раунд'); English keeps subject before verb, except after a place ('Among "
    "the dead were two children').",
    example="15 September was held the sixth round. → The sixth round was held on 15 September.",
    fix="none",
    needs=PARSE,
)
SUBJECT_COMMA = Rule(
    code="X108",
    name="comma-after-subject",
    category="syntax",
    severity=Severity.WARNING,
    summary="A single comma between the subject and its verb",
    why="Russian punctuation sets off participle phrases and asides that a literal translation "
    "reorders or drops, leaving one comma between subject and verb ('Syrian militias, came "
    "under attack') or an aside opened and never closed.",
    example="Russia, along with Iran and Turkey is trying ... → Russia, along with Iran and Turkey, is trying ...",
    fix="none",
    needs=PARSE,
)
COMMA_THAT = Rule(
    code="X109",
    name="comma-before-that",
    category="syntax",
    severity=Severity.WARNING,
    summary="Comma between a verb or adjective and the 'that' clause it governs",
    why="Russian always puts a comma before 'что' ('ответственна за то, что'); English does "
    "not separate a 'that' clause from the word it completes.",
    example="Moscow is responsible, that pre-warns US ... → Moscow says it warns the US in advance ...",
    fix="none",
    needs=PARSE,
)
PERFECT_PAST_TIME = Rule(
    code="X110",
    name="perfect-with-past-time",
    category="syntax",
    severity=Severity.WARNING,
    summary="Present perfect with a finished past time ('On 21 September ... has noticed')",
    why="Russian has one past tense; MT often renders it with 'has' + participle, which "
    "English does not allow with a dated past moment.",
    example="On September 21, the ministry has noticed ... → On September 21, the ministry noticed ...",
    fix="none",
    needs=PARSE,
)
BARE_NOT = Rule(
    code="X111",
    name="not-without-auxiliary",
    category="syntax",
    severity=Severity.WARNING,
    summary="'not' before a past verb with an object, with no auxiliary ('not coordinated their operation')",
    why="Russian negates a verb with 'не' alone; English needs 'did not' or 'have not' before "
    "the verb.",
    example="militias, not coordinated their operation → militias that had not coordinated their operation",
    fix="none",
    needs=PARSE,
)

NOUN_CASE = Rule(
    code="X112",
    name="bare-noun-after-noun",
    category="syntax",
    severity=Severity.WARNING,
    summary="A noun phrase right after a noun, where English needs 'of' or 'to' (Russian case ending)",
    why="Russian marks 'of' and 'to' with case endings ('атака сирийских войск', 'передали "
    "террористам'); a literal translation sets the second noun phrase bare after the first: "
    "'an attack Syrian troops', 'a strike the coalition'.",
    example="a successful attack Syrian troops → a successful attack by Syrian troops",
    fix="none",
    needs=PARSE,
)

SPEECH_DASH = Rule(
    code="X113",
    name="speech-dash",
    category="syntax",
    severity=Severity.WARNING,
    summary="A dash between a quotation and its attribution (Russian direct-speech punctuation)",
    why="Russian sets the words of the speaker off with a dash after the quote ('«...», — "
    "сказал он'); English writes '\u201c...,\u201d he said'. Left in, it is a sign that the "
    "quotation and its attribution are translated word for word.",
    example="“We believe ...”, — quotes the agency the head ... → “We believe ...,” the head ... told the agency.",
    fix="none",
)

UNFINISHED = Rule(
    code="X114",
    name="unfinished-phrase",
    category="syntax",
    severity=Severity.WARNING,
    summary="A sentence or quoted phrase that ends in an article, conjunction, 'of' or degree word",
    why="MT that loses the end of a Russian sentence, or closes a quotation at the wrong word "
    "(Russian quotes a name inside a phrase: 'последним оплотом» террористов'), leaves English "
    "that stops on 'the', 'and', 'very' or 'of': a phrase without the word it needs.",
    example="calls the city “the last stronghold of” terrorists → calls the city the last stronghold of terrorists",
    fix="none",
    needs=PARSE,
)

CALQUED_PREPOSITION = Rule(
    code="X115",
    name="calqued-preposition",
    category="syntax",
    severity=Severity.WARNING,
    summary="A verb with the preposition Russian case government gives it ('accused ... in', 'depend from')",
    why="Russian verbs govern their objects through prepositions and cases that English does not "
    "share ('обвинить в', 'зависеть от', 'поздравить с'); word-for-word MT keeps the Russian "
    "preposition: 'accused the company in fraud', 'depends from the weather'.",
    example="accused the company in the fraud → accused the company of the fraud",
    fix="none",
    needs=PARSE,
)

_OWN_RULES = (NO_FINITE_VERB, BARE_NEGATION, AGREEMENT, FRAGMENT, MISSING_SUBJECT, VERBLESS_CLAUSE,
              INVERSION, SUBJECT_COMMA, COMMA_THAT, PERFECT_PAST_TIME, BARE_NOT, NOUN_CASE, SPEECH_DASH,
              UNFINISHED, CALQUED_PREPOSITION)
RULES = _OWN_RULES + tuple(syntax_quality.RULES)

_PARSE_CODES = tuple(r.code for r in _OWN_RULES if r.needs)
# One structural finding per sentence: the most specific rule that fires wins.
_STRUCTURAL_ORDER = ("X102", "X104", "X105", "X107", "X106", "X111", "X108", "X109", "X110", "X112", "X115", "X114", "X113", "X101")
_RANK = {code: rank for rank, code in enumerate(_STRUCTURAL_ORDER)}

_IMPERATIVE_FINITE = frozenset({"thank", "please", "let"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"})
_MIN_WORDS_NO_VERB = 8
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_DIGIT = re.compile(r"\d")
_BARE_NO = re.compile(r"(?P<prev>[^\W\d_][\w’'-]*)[ \t,]+(?P<no>no)[ \t]*[.!…]+[\"”»’')\]]*\s*$")


def check(doc: Document, ctx: Context) -> Iterable[Finding]:
    structural: dict[int, dict[str, Finding]] = {}
    if ctx.on("X102"):
        for s in _bare_negation_candidates(doc):
            f = _bare_negation(doc, s)
            if f is not None:
                structural.setdefault(s.index, {})["X102"] = f
    if ctx.on("X113"):
        for f in _speech_dashes(doc):
            structural.setdefault(f.data["sentence"], {})["X113"] = f
    agreement: list[Finding] = []
    if "parse" in ctx.resources and any(ctx.on(c) for c in _PARSE_CODES):
        from mtcheck.neural.parse import document_parse

        parses = document_parse(doc)
        judged: set[str] = set()
        for s in doc.sentences:
            sdoc = parses[s.index]
            same = " ".join(s.text.split()).casefold()
            if same in judged:
                continue  # a headline printed twice: judged (and reported) once
            judged.add(same)
            if ctx.on("X103"):
                agreement.extend(_agreement(doc, s, sdoc))
            found = structural.setdefault(s.index, {})
            for code, judge in _STRUCTURAL_JUDGES:
                # (a pattern finding already made, X102 or X113, stops only the judges it outranks)
                if ctx.on(code) and not any(_RANK[c] < _RANK[code] for c in found):
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


# -- X113: a dash after a quotation (no parse needed) -------------------------------------------

# A closing quotation mark, an optional comma, a dash, and a lower-case word: the Russian
# '», — сказал он', after a sentence that opens with the quotation or with the comma before
# the dash. (A dash before a capital or a name starts a new thought: '" - Reuters'.)
_SPEECH_DASH = re.compile(r"[”\"»][ \t]*,?[ \t]*[—–][ \t]*(?=[^\W\d_A-Z])")


def _speech_dashes(doc: Document) -> Iterator[Finding]:
    """One finding per body sentence with a speech dash: the pattern searched over the whole
    text once (most stories have no dash at all), each match placed in its sentence."""
    text = doc.text
    if "—" not in text and "–" not in text:
        return
    starts = [s.start for s in doc.sentences]
    seen: set[int] = set()
    for m in _SPEECH_DASH.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1
        if k < 0 or k in seen:
            continue
        s = doc.sentences[k]
        if s.kind != "body" or not s.start <= m.start() < m.end() < s.end or not text[m.end()].islower():
            continue
        if "," not in m.group() and s.text.lstrip()[:1] not in "\"“«":
            continue  # 'the talks were “over” — a word he chose': a quoted word, then an aside
        seen.add(k)
        yield SPEECH_DASH.finding(
            doc, s.start, s.end,
            f"A dash sets the attribution off from the quotation (Russian direct-speech punctuation): {_DAMAGE}",
            data={"dash_offset": m.start(), "sentence": s.index},
        )


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
# What every sentence ``_bare_no`` matches holds: "no", spaces or tabs, a terminal (read back
# from its end it is the terminal run, the spaces, then "no").
_NO_BEFORE_TERMINAL = re.compile(r"no[ \t]*[.!…]")


def _bare_negation_candidates(doc: Document) -> Iterator[Sentence]:
    """The sentences holding ``_NO_BEFORE_TERMINAL``, in order: the only ones X102 can report.
    Found by one search of the whole text, each match placed in its sentence (a story of short
    lines has 200,000 sentences, and reading each one's end was most of X102's time). A match
    is found wherever a sentence holds one: an earlier match never covers the "n" it starts
    with (it starts with "n" and holds none after that)."""
    sentences = doc.sentences
    starts = [s.start for s in sentences]
    found = dict.fromkeys(bisect.bisect_right(starts, m.start()) - 1 for m in _NO_BEFORE_TERMINAL.finditer(doc.text))
    for k in found:
        if k >= 0:
            yield sentences[k]


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
        elif head == word and "A" <= word[:1] <= "Z":
            # A capitalised word (what X102 asks about): one of the few capitalised runs.
            cache[word] = word in _capitalised_runs_after_lower_case(doc)
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


# _AFTER_LOWER's matches whose run starts with a capital A-Z: the same runs (a match starts
# at the first space of a run after one of [a-z,;] and takes the whole word run after the
# spaces), found faster. The pattern starts with its literal space, which the regex engine
# skips to, where _AFTER_LOWER's leading lookbehind is tried at every character, and only
# the few capitalised runs are made into strings, not every word of the story.
_CAPITAL_AFTER_LOWER = re.compile(r" (?<=[a-z,;] ) *([A-Z]\w*)")


def _capitalised_runs_after_lower_case(doc: Document) -> frozenset[str]:
    """The runs of ``_runs_after_lower_case`` that start with a capital A-Z, once per document."""
    runs = doc.user_data.get("syntax.capitalised_after_lower_runs")
    if runs is None:
        runs = doc.user_data["syntax.capitalised_after_lower_runs"] = frozenset(_CAPITAL_AFTER_LOWER.findall(doc.text))
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
    # (asked by most judges of every sentence: the indices are kept on the spaCy Doc, as ints)
    found = sdoc.user_data.get("mtcheck.roots")
    if found is None:
        found = sdoc.user_data["mtcheck.roots"] = tuple(
            t.i for t in sdoc if t.dep_ == "ROOT" and not t.is_space and not t.is_punct)
    return [sdoc[i] for i in found]


def _last_word(sdoc):
    for i in range(len(sdoc) - 1, -1, -1):
        t = sdoc[i]
        if not (t.is_punct or t.is_space):
            return t
    return None


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
    roots = _roots(sdoc)
    if len(roots) != 1 or roots[0].pos_ not in ("NOUN", "PROPN"):
        # (the common case, a verb at the root: stop at its first finite word)
        if any(_possibly_finite(t, past) or _verb_tagged_as_noun(t) for t in sdoc) or _elliptical_style(sdoc):
            return None
        return _span_finding(NO_FINITE_VERB, doc, s, f"Sentence has no finite verb: {_DAMAGE}")
    finite = [t for t in sdoc if _possibly_finite(t, past) or _verb_tagged_as_noun(t)]
    if not finite:
        if _elliptical_style(sdoc):
            return None
        return _span_finding(NO_FINITE_VERB, doc, s, f"Sentence has no finite verb: {_DAMAGE}")
    nested = {t.i for t in finite if _in_nested_relative(t, roots[0])}
    # (a participle the parser hangs on a noun, 'areas controlled by ...', is a reduced relative)
    if nested and all(t.i in nested or (t.tag_ == "VBN" and t.dep_ == "acl") for t in finite) and not _elliptical_style(sdoc):
        return _span_finding(
            NO_FINITE_VERB, doc, s,
            f"Sentence has no main verb: its only verbs are inside a relative clause: {_DAMAGE}",
            data={"kind": "relative-only"},
        )
    return None


def _elliptical_style(sdoc) -> bool:
    """Verbless sentences English writes on purpose, as professional translators do: a
    continuation or connective opening ("But ...", "Meanwhile, ...", "For example, ...",
    "That is, ..."), a label and its content across a dash ("The new player - the artist X"),
    and a list of noun phrases joined by 'or', 'plus', 'and' or semicolons ("Global warming or
    an encounter with a killer asteroid", "Good hockey, a great atmosphere ...")."""
    first = _first_word(sdoc)
    if first is None or first.tag_ in ("CC", "RB", "RBR", "RBS", "WRB", "UH") or first.lower_ in ("whether", "nothing", "thanks"):
        return True
    if any(t.text == "," for t in sdoc[first.i + 1: first.i + 3]):
        return True
    if any(t.text in (";", "—", "–", "--") or (t.text == "-" and t.whitespace_) for t in sdoc):
        return True
    roots = _roots(sdoc)
    return any(c.dep_ in ("cc", "conj", "appos") for r in roots for c in r.children)


def _in_nested_relative(tok, root) -> bool:
    """Whether ``tok`` stands inside a relative clause set off by a comma, of a noun below the
    sentence's root noun ("Areas ... controlled by the forces, with whom there is ..."), not
    one of the root's own ("A man who was shot ...": a caption)."""
    for a in [tok, *tok.ancestors]:
        if a.i == root.i:
            return False
        if a.dep_ == "relcl":
            # a restrictive clause completes its noun phrase: a title or a caption ("Screenshot of
            # the site that accepts orders"); after a comma, the phrase was complete without it
            left = a.left_edge.i
            return a.head.i != root.i and left > 0 and tok.doc[left - 1].text == ","
    return False


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
    elliptical = syntax_words()["elliptical_subordinators"]
    if ((lead in subordinators or two in subordinators) and root.pos_ in ("VERB", "AUX")
            and lead not in elliptical and two not in elliptical):
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
    if text[-1:] in "?!" or s.is_quote and s.kind != "body":
        return None
    if s.kind != "body":
        return _subjectless_after_participle(doc, s, sdoc)
    if s.is_quote:
        return _subjectless_attribution(doc, s, sdoc)
    found = (_expletive_with_speech_verb(doc, s, sdoc) or _subjectless_that_clause(doc, s, sdoc)
             or _attribution_to_an_institution(doc, s, sdoc))
    if found is not None:
        return found
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


def _subjectless_after_participle(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """A headline that opens with a participle phrase and goes on to a finite verb with no
    subject: 'Hit by the coalition of militias have not coordinated the operation' (Russian
    'Попавшие под удар ... ополченцы не согласовали'). Headlines drop articles, not the
    subject of a finite verb."""
    first = _first_word(sdoc)
    roots = _roots(sdoc)
    if first is None or len(roots) != 1 or first.tag_ not in ("VBN", "VBG") or first.dep_ != "advcl":
        return None
    root = roots[0]
    if first.head.i != root.i or root.i <= first.right_edge.i:
        return None
    finite = _finite_of(root)
    if finite is None or any(c.dep_ in _SUBJECT_DEPS for c in root.children):
        return None
    if any(t.text in (",", ":", "-", "—", "–") for t in sdoc[first.i: finite.i]):
        return None  # "Hit by the storm, ...": a phrase closed off, the subject may be elided by style
    return _span_finding(
        MISSING_SUBJECT, doc, s,
        f"After the opening '{first.text} ...' the verb '{finite.text}' has no subject: {_DAMAGE}",
        data={"verb": finite.text, "kind": "participle-opener"},
    )


_BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being", "am", "'s", "’s", "'re", "’re"})
_QUOTE_CLOSERS = frozenset({"”", "\"", "''", "»", "’"})
_DASHES = frozenset({"—", "–", "-", "--"})


def _subjectless_attribution(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """A quotation followed by its attribution without a subject: '“...” — said in a
    statement', '“...”, — stated in the message' (Russian 'говорится в заявлении'). The
    verb, a past form, comes right after the closing quote (past a comma or dash) and a
    preposition right after it; it has no subject, and no finite verb follows outside the
    quote (which would make the participle a modifier: '“The Road,” published in 2006, won')."""
    tokens = list(sdoc)
    for q in tokens:
        if q.text not in _QUOTE_CLOSERS or q.i == 0:
            continue
        i = q.i + 1
        while i < len(tokens) and (tokens[i].text == "," or tokens[i].text in _DASHES):
            i += 1
        if i == q.i + 1 or i + 1 >= len(tokens):
            continue  # the attribution is set off by a comma or a dash
        verb = tokens[i]
        if verb.tag_ not in ("VBD", "VBN") or tokens[i + 1].tag_ != "IN":
            continue
        if any(c.dep_ in _SUBJECT_DEPS for c in verb.children):
            continue
        if any(t.tag_ in _FINITE_TAGS for t in tokens[i + 1:]):
            continue
        return _span_finding(
            MISSING_SUBJECT, doc, s,
            f"The quotation's attribution '{verb.text} {tokens[i + 1].text} ...' has no subject (Russian impersonal construction): {_DAMAGE}",
            data={"verb": verb.text, "kind": "attribution"},
        )
    return None



def _subjectless_that_clause(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """'The ministry pointed out that was in touch with ...': after a verb of saying
    (``that_clause_verbs``), 'that' and at once a verb. 'that' is the conjunction there and the
    clause has lost its subject (Russian drops it: 'указали, что были на связи'). The
    demonstrative 'that' as subject ('said that was a mistake', 'said that's the point') takes
    a noun or an adjective after 'be': those are left alone."""
    if "that" not in s.text:
        return None
    verbs = syntax_words()["that_clause_verbs"]
    for t in sdoc:
        if t.lower_ != "that" or t.i == 0 or t.i + 1 >= len(sdoc):
            continue
        before = sdoc[t.i - 1]
        if before.dep_ == "prt":
            before = before.head
        if before.lower_ not in verbs or before.pos_ != "VERB":
            continue
        verb = sdoc[t.i + 1]
        if verb.tag_ not in ("VBD", "VBZ", "VBP") or t.i + 2 >= len(sdoc):
            continue
        after = sdoc[t.i + 2]
        if verb.lower_ in _BE_FORMS:
            if any(c.dep_ in ("attr", "acomp") for c in verb.children) or verb.lower_ in ("'s", "’s"):
                continue
            if after.tag_ not in ("RB", "IN", "VBN", "VBG"):
                continue
        elif verb.lower_ in ("has", "have", "had", "does", "did", "do") or after.tag_ not in ("DT", "PRP$"):
            continue  # ('states that banned materials fall ...': a participle or noun the tagger read as the verb)
        return _span_finding(
            MISSING_SUBJECT, doc, s,
            f"The clause after '{before.text} ... that' starts with the verb '{verb.text}' and has no subject: {_DAMAGE}",
            data={"verb": verb.text, "kind": "that-clause"},
        )
    return None


def _attribution_to_an_institution(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """'as stated in the defense ministry', ', reported in the press service': a verb of saying
    with no subject, after 'as' or a comma, and at once 'in' or 'at' an institution
    (``institution_nouns``): the Russian indefinite-personal attribution ('как заявили в
    Минобороны'). English names who said it ('as the ministry stated'); 'as stated in the
    report' (a document) is English."""
    if " in " not in s.text and " at " not in s.text:
        return None
    lists = syntax_words()
    for v in sdoc:
        if v.tag_ not in ("VBN", "VBD") or v.lower_ not in lists["that_clause_verbs"] or v.i == 0 or v.i + 1 >= len(sdoc):
            continue
        if sdoc[v.i - 1].lower_ not in ("as", ",", "—", "–", "-") or sdoc[v.i + 1].lower_ not in ("in", "at"):
            continue
        if any(c.dep_ in _SUBJECT_DEPS or c.dep_ in ("aux", "auxpass") for c in v.children):
            continue
        where = [c for c in sdoc[v.i + 1].children if c.dep_ == "pobj"]
        if not where or where[0].lower_ not in lists["institution_nouns"]:
            continue
        return _span_finding(
            MISSING_SUBJECT, doc, s,
            f"'{v.text} {sdoc[v.i + 1].text} the {where[0].text}' has no subject: English names who {v.text} it "
            f"('as the {where[0].lower_} {v.text}'): {_DAMAGE}",
            data={"verb": v.text, "kind": "institution"},
        )
    return None


def _expletive_with_speech_verb(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """'There stated that ...', 'There was reported that ...': existential 'there' before a
    verb that takes a 'that' clause. English introduces such a clause with 'it' ('It was
    stated that') or a real subject; 'there' only introduces a noun ('There is ...')."""
    first = _first_word(sdoc)
    if first is None or first.tag_ != "EX" or first.i + 2 >= len(sdoc):
        return None
    verb = sdoc[first.i + 1]
    after = sdoc[first.i + 2]
    if verb.tag_ in ("VBD", "VBZ", "VBP") and verb.lower_ not in _BE_FORMS and after.lower_ == "that" and after.dep_ == "mark":
        pass
    elif (verb.lower_ in _BE_FORMS and after.tag_ == "VBN" and first.i + 3 < len(sdoc)
          and sdoc[first.i + 3].lower_ == "that" and sdoc[first.i + 3].dep_ == "mark"):
        verb = after
    else:
        return None
    return _span_finding(
        MISSING_SUBJECT, doc, s,
        f"'There {verb.text} that ...' has no subject: English needs 'It {verb.text}' or who {verb.text} it: {_DAMAGE}",
        data={"verb": verb.text, "kind": "expletive"},
    )


# -- X107: verb before its subject after a fronted date or phrase ------------------------------

@lru_cache(maxsize=1)
def syntax_words() -> dict[str, frozenset[str]]:
    return load_toml(_SYNTAX_DATA, _SYNTAX_SCHEMA)


_SYNTAX_DATA = "syntax.toml"
_SYNTAX_SCHEMA = {k: words for k in ("inversion_prepositions", "calendar_words", "past_time_words",
                                     "past_period_nouns", "double_object_participles", "that_conjunction_heads",
                                     "time_nouns", "object_complement_verbs", "unfinished_endings",
                                     "unfinished_quote_endings", "addressee_reporting_verbs",
                                     "elliptical_subordinators", "quantity_nouns", "that_clause_verbs",
                                     "calqued_prepositions", "institution_nouns")}


def _calendar(tok, lists) -> bool:
    """'September', '15 September', 'Monday', '2017': a time, not a subject."""
    if tok.lower_.rstrip(".") in lists["calendar_words"]:
        return True
    return tok.tag_ == "CD" and tok.text.isdigit()


def _inversion(doc: Document, s: Sentence, sdoc) -> Finding | None:
    if s.kind != "body" or "?" in s.text:
        return None
    lists = syntax_words()
    found = _inverted_attribution(doc, s, sdoc, lists)
    if found is not None or s.is_quote:
        return found
    found = _split_passive(doc, s, sdoc, lists)
    if found is not None:
        return found
    for t in sdoc:
        # A passive with an object after it and no real subject before it: '15 September was
        # held the sixth round', 'On Monday was held a meeting'.
        if t.tag_ != "VBN" or t.lower_ in lists["double_object_participles"]:
            continue
        if not any(c.dep_ == "auxpass" and c.lower_ in _BE_FORMS and c.i < t.i for c in t.children):
            continue
        objects = [c for c in t.children if c.dep_ == "dobj" and c.i > t.i and c.pos_ in ("NOUN", "PROPN")]
        if not objects or sdoc[t.i + 1].tag_ not in ("DT", "JJ", "CD", "PRP$", "NN", "NNS", "JJS", "JJR"):
            continue
        subjects = [c for c in t.children if c.dep_ in ("nsubjpass", "nsubj", "expl")]
        if subjects and not all(_calendar(c, lists) for c in subjects):
            continue
        if not subjects and not _fronted_time_or_phrase(sdoc, t, lists):
            continue  # 'Was decided to ...' and the like: the missing-subject rule's
        return _span_finding(
            INVERSION, doc, s,
            f"'{t.text}' comes before its subject '{objects[0].text}' (Russian word order after a fronted time or place): {_DAMAGE}",
            data={"verb": t.text, "subject": objects[0].text, "kind": "passive"},
        )
    roots = _roots(sdoc)
    first = _first_word(sdoc)
    if len(roots) != 1 or first is None or first.tag_ != "IN" or first.dep_ != "prep":
        return None
    if first.lower_ in word_lists()["subordinators"]:
        return None  # "As travelling ... was limited, agencies sold ...": a clause the parser took for a phrase
    root = roots[0]
    finite = _finite_of(root)
    if finite is None or first.head.i != root.i:
        return None
    subjects = [c for c in root.children if c.dep_ in _SUBJECT_DEPS]
    if any(c.i < finite.i for c in subjects):
        return None
    if not subjects and finite.lower_ in _BE_FORMS:
        # "For the delay ... is the government": after a be-form the parser calls the
        # postposed subject a complement.
        subjects = [c for c in root.children if c.dep_ == "attr" and c.i > finite.i and c.pos_ in ("NOUN", "PROPN")]
    if subjects:
        if first.lower_ in lists["inversion_prepositions"]:
            return None  # "Among the dead were two children": English inversion after a place
        if sdoc[finite.i - 1].text != ",":
            return None  # a fronted phrase closed by its comma, then the verb: else more often a subject the parser missed
    else:
        # Only a verb right after a fronted phrase that ends in a time ("... in March were
        # able to ..."): anything else is more often a subject the parser missed or took into
        # the phrase ("In the city of X, a local group also reported ...", "In Ekaterinburg
        # police are searching ...", "At the start ... in Syria over two thirds ... was").
        if first.right_edge.i != finite.i - 1 or any(t.text == "," for t in sdoc[first.i: finite.i]):
            return None
        if not _calendar(sdoc[finite.i - 1], lists):
            return None
    if not subjects and root.pos_ != "AUX" and not any(c.dep_ in ("acomp", "xcomp", "attr") for c in root.children):
        return None
    what = f"before its subject '{subjects[0].text}'" if subjects else "with no subject before it"
    return _span_finding(
        INVERSION, doc, s,
        f"After the fronted '{first.text} ...' the verb '{finite.text}' comes {what} (Russian word order): {_DAMAGE}",
        data={"verb": finite.text, "subject": subjects[0].text if subjects else None, "kind": "fronted"},
    )


def _split_passive(doc: Document, s: Sentence, sdoc, lists) -> Finding | None:
    """'the shelling was 25 wounded militias': a singular subject, 'was' or 'is', and a
    plural complement with a number and a participle, the Russian impersonal passive ('при
    обстреле было ранено 25 ополченцев', literally 'was wounded 25 militias') with the
    participle moved into the noun phrase. English puts the people first ('25 militiamen were
    wounded'); a count noun as subject ('The toll was 25 wounded civilians') is English."""
    if _DIGIT.search(s.text) is None:
        return None  # (the complement has a number)
    for t in sdoc:
        if t.dep_ != "attr" or t.tag_ != "NNS" or t.head.lower_ not in ("was", "is"):
            continue
        if not any(c.dep_ == "nummod" for c in t.children) or not any(c.dep_ == "amod" and c.tag_ == "VBN" for c in t.children):
            continue
        subjects = [c for c in t.head.children if c.dep_ == "nsubj" and c.i < t.head.i]
        if not subjects or subjects[0].tag_ != "NN" or subjects[0].lower_ in lists["quantity_nouns"]:
            continue
        participle = next(c for c in t.children if c.dep_ == "amod" and c.tag_ == "VBN")
        return _span_finding(
            INVERSION, doc, s,
            f"'{t.head.text} ... {participle.text} {t.text}': the passive is split around its subject (Russian impersonal "
            f"passive; English: '... {t.text} were {participle.text}'): {_DAMAGE}",
            data={"verb": t.head.text, "subject": t.text, "kind": "split-passive"},
        )
    return None


def _inverted_attribution(doc: Document, s: Sentence, sdoc, lists) -> Finding | None:
    """'..., informs the agency RIA Novosti': a reporting verb that takes its addressee or
    source as object (``addressee_reporting_verbs``), present tense, after a comma, with no
    subject: the Russian inverted attribution ('сообщает агентство'). English inverts only
    'said'/'says' ('..., said the ministry'); a verb coordinated with 'and' shares the subject
    before it ('He arrived, tells reporters ... and leaves')."""
    if "," not in s.text:
        return None
    for v in sdoc:
        if v.tag_ != "VBZ" or v.lower_ not in lists["addressee_reporting_verbs"] or v.i < 5 or sdoc[v.i - 1].text != ",":
            continue
        if any(c.dep_ in _SUBJECT_DEPS for c in v.children):
            continue
        if (any(c.dep_ in ("cc", "conj") for c in v.children) or (v.dep_ == "conj" and any(c.dep_ == "cc" for c in v.head.children))
                or (v.dep_ == "conj" and v.head.tag_ in ("VBZ", "VBP"))):
            continue  # 'He walks in, tells reporters ... and leaves': present verbs that share the subject before them
        named = [c for c in v.children if c.i > v.i and c.dep_ in ("dobj", "nmod", "npadvmod", "attr", "appos")]
        if not named:
            continue
        return _span_finding(
            INVERSION, doc, s,
            f"The attribution ', {v.text} {named[0].text} ...' has no subject: '{named[0].text}' reads as whom it "
            f"{v.text} (Russian inverted attribution): {_DAMAGE}",
            data={"verb": v.text, "subject": named[0].text, "kind": "attribution"},
        )
    return None


def _fronted_time_or_phrase(sdoc, verb, lists) -> bool:
    """Whether what stands before the passive's auxiliary is a fronted time phrase ('On
    Monday was held ...', 'In the middle of the month was announced ...') or a phrase after
    which English does not invert ('For the victims were collected ...'). English inverts a
    passive after a place ('To this message was attached a photograph'), and 'there' may
    stand before the verb as its subject ('During the work there were found ...')."""
    first = _first_word(sdoc)
    if first is None or first.i >= verb.i - 1 or first.tag_ != "IN" or first.head.i != verb.i:
        return False
    if any(t.tag_ == "EX" or t.lower_ == "there" for t in sdoc[first.i: verb.i]):
        return False
    if first.lower_ not in lists["inversion_prepositions"]:
        return True
    return any(_calendar(t, lists) or t.lower_ in lists["time_nouns"] for t in first.subtree)


def _finite_of(verb):
    """The finite word of ``verb``'s clause: an auxiliary before it, or the verb itself."""
    for t in [*(c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i < verb.i), verb]:
        if t.tag_ in _FINITE_TAGS:
            return t
    return None


# -- X108: comma between subject and verb ------------------------------------------------------

_BREAK_PUNCT = frozenset({",", "—", "–", "-", "--", "(", ")", ";", ":", "“", "”", "\"", "«", "»"})


def _subject_comma(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """A subject followed by one comma and then its verb ('Syrian militias, came under
    attack'), or by a comma that opens an aside never closed before the verb ('Russia,
    along with Iran and Turkey is trying'). The subject must be a plain phrase (no comma,
    dash or quote of its own), so a closed appositive ('The spokesman, Igor Konashenkov,
    said') or a subject with a relative clause is not mistaken for it."""
    if s.kind != "body" or s.is_quote:
        return None
    for comma in sdoc:
        if comma.text != "," or comma.i == 0 or comma.i + 1 >= len(sdoc):
            continue
        noun = sdoc[comma.i - 1]
        if noun.tag_ not in ("NN", "NNS", "NNP", "NNPS"):
            continue
        if noun.dep_ in ("nsubj", "nsubjpass"):
            subject = noun
        elif noun.dep_ == "appos" and noun.head.dep_ in ("nsubj", "nsubjpass"):
            subject = noun.head
            if noun.left_edge.i > 0 and sdoc[noun.left_edge.i - 1].text == ",":
                continue  # '..., Igor Konashenkov, said': a closed appositive
        else:
            continue
        verb = subject.head
        if verb.pos_ not in ("VERB", "AUX") or verb.i <= comma.i:
            continue
        finite = _finite_of(verb)
        if finite is None or any(t.text in _BREAK_PUNCT or t.is_quote for t in sdoc[noun.left_edge.i: noun.i]):
            continue
        if finite.i == comma.i + 1:
            if not _lone_subject_comma(sdoc, subject, noun, comma, verb):
                continue
            return _span_finding(
                SUBJECT_COMMA, doc, s,
                f"A comma separates the subject '{noun.text}' from its verb '{finite.text}': {_DAMAGE}",
                data={"subject": noun.text, "verb": finite.text, "kind": "comma"},
            )
        aside = sdoc[comma.i + 1: finite.i]
        lead = aside[1] if aside[0].tag_ == "RB" and len(aside) > 1 else aside[0]  # "together with", "along with"
        if (lead.tag_ == "IN" and lead.lower_ != "that"
                and not any(t.text in _BREAK_PUNCT or t.is_quote or (t.tag_.startswith("VB") and t.dep_ != "amod") or t.tag_ in ("MD", "WDT", "WP") for t in aside)):
            return _span_finding(
                SUBJECT_COMMA, doc, s,
                f"The aside after '{noun.text},' is not closed before the verb '{finite.text}': {_DAMAGE}",
                data={"subject": noun.text, "verb": finite.text, "kind": "unclosed"},
            )
    return None


def _lone_subject_comma(sdoc, subject, noun, comma, verb) -> bool:
    """Whether the comma between subject and verb stands alone: no comma, colon or semicolon
    before it in the sentence (else it may close an aside or appositive that opened there: 'Even
    Mike Penning, then Works and Pensions minister, admitted'), not a question or address
    ('Sergei, is the season over?'), the verb with no subject after it ('The trouble, said
    the editor, is ...'), and not a participle that a later verb follows ('John Terry, fired
    earlier from Spartak, led the team': a reduced relative clause the parser read as the verb)."""
    if not noun.text[:1].isalpha() or any(t.text in (",", ":", ";") for t in sdoc[:comma.i]) or any(t.text == "?" for t in sdoc):
        return False
    if any(c.dep_ in _SUBJECT_DEPS and c.i > verb.i for c in verb.children):
        return False
    if verb.tag_ == "VBN" or verb.lower_.endswith("ed"):
        for t in sdoc[verb.i + 1: len(sdoc) - 1]:
            if t.text == "," and (sdoc[t.i + 1].tag_ in _FINITE_TAGS or sdoc[t.i + 1].tag_ == "VBN"):
                return False
    return True


# -- X109: comma before a 'that' clause --------------------------------------------------------

def _comma_that(doc: Document, s: Sentence, sdoc) -> Finding | None:
    if s.kind != "body" or s.is_quote:
        return None
    lists = syntax_words()
    for t in sdoc:
        if t.lower_ != "that" or t.i < 2 or t.tag_ not in ("IN", "WDT") or sdoc[t.i - 1].text != ",":
            continue
        word = sdoc[t.i - 2]
        if word.tag_ not in ("JJ", "VBD", "VBZ", "VBP", "VBN", "VB") or word.lower_ in lists["that_conjunction_heads"]:
            continue
        if t.i + 1 < len(sdoc) and sdoc[t.i + 1].lower_ in ("is", "'s", "’s", "said", "was") and (
                t.i + 2 >= len(sdoc) or sdoc[t.i + 2].is_punct):
            continue  # '..., that is, ...', 'that said,'
        return _span_finding(
            COMMA_THAT, doc, s,
            f"A comma separates '{word.text}' from the 'that' clause after it (Russian punctuation before 'что'): {_DAMAGE}",
            data={"word": word.text, "that_offset": s.start + t.idx},
        )
    return None


# -- X110: present perfect with a finished past time -------------------------------------------

def _perfect_past_time(doc: Document, s: Sentence, sdoc) -> Finding | None:
    if s.kind != "body" or s.is_quote:
        return None
    lists = syntax_words()
    for v in sdoc:
        if v.tag_ != "VBN":
            continue
        auxes = [c for c in v.children if c.dep_ in ("aux", "auxpass") and c.i < v.i]
        if not auxes or auxes[0].lower_ not in ("has", "have") or auxes[0].tag_ not in ("VBZ", "VBP"):
            continue
        when = _past_time(v, lists)
        if when is None or _time_in_subject(v, when):
            continue
        return _span_finding(
            PERFECT_PAST_TIME, doc, s,
            f"'{auxes[0].text} {v.text}' with the finished past time '{when}': English uses the simple past here: {_DAMAGE}",
            data={"verb": v.text, "time": when},
        )
    return None


def _time_in_subject(verb, when) -> bool:
    """Whether the past time stands inside the subject, after a clause of its own that it
    belongs to ('Footage of the accident, which occurred this past Saturday, on July 25, has
    appeared'): the parser attached it to the main verb across the clause."""
    sdoc = verb.doc
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS and c.i < verb.i]
    if not subjects:
        return False
    return any(t.dep_ in ("relcl", "acl", "advcl") for t in sdoc[subjects[0].i: verb.i])


def _past_time(verb, lists) -> str | None:
    """The dated past time attached to ``verb``, as written, if it has one: 'on 21
    September', 'on Monday', 'yesterday', 'three days ago', 'last week'."""
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ == "on":
            for o in c.children:
                if o.dep_ == "pobj" and _calendar(o, lists) and (o.lower_ in lists["calendar_words"] or o.tag_ == "CD"):
                    return f"{c.text} {o.text}"
        if c.dep_ in ("npadvmod", "advmod"):
            if c.lower_ in lists["past_time_words"]:
                return c.text
            if any(x.lower_ in lists["past_time_words"] for x in c.children):
                return " ".join(x.text for x in c.subtree)
            if any(x.lower_ == "last" for x in c.children) and (c.lower_ in lists["past_period_nouns"] or c.lower_ in lists["calendar_words"]):
                return " ".join(x.text for x in c.subtree)
    return None


# -- X111: 'not' without an auxiliary ----------------------------------------------------------

_NOT_AUX_BEFORE = frozenset({"do", "does", "did", "have", "has", "had", "is", "are", "was", "were", "be", "been",
                             "being", "am", "to", "why", "if", "or", "and", "but", "whether", "'s", "’s", "'ve",
                             "’ve", "'d", "’d", "'re", "’re", "'m", "’m"})


def _bare_not(doc: Document, s: Sentence, sdoc) -> Finding | None:
    if s.kind != "body" or s.is_quote:
        return None
    lists = syntax_words()
    for t in sdoc:
        if t.lower_ != "not" or t.i == 0 or t.i + 1 >= len(sdoc):
            continue
        verb = sdoc[t.i + 1]
        if verb.tag_ not in ("VBD", "VBN") or t.head.i != verb.i or verb.lower_ in lists["double_object_participles"]:
            continue
        before = sdoc[t.i - 1]
        if before.tag_ in ("MD", "TO") or before.lower_ in _NOT_AUX_BEFORE or before.pos_ in ("AUX", "CCONJ"):
            continue
        if any(c.dep_ in ("aux", "auxpass") for c in verb.children):
            continue
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i]
        if not objects or objects[0].i > verb.i + 3 or not any(x.dep_ in ("poss", "det") for x in objects[0].children):
            continue
        return _span_finding(
            BARE_NOT, doc, s,
            f"'not {verb.text} {objects[0].text}' has no auxiliary ('did not', 'have not'): {_DAMAGE}",
            data={"verb": verb.text, "not_offset": s.start + t.idx},
        )
    return None


# -- X112: a bare noun phrase after a noun (a Russian case ending lost) -------------------------

_COMMON_NOUN = frozenset({"NN", "NNS"})


def _noun_case(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """An object noun followed at once by an adjective and a second common noun that the
    parser can only attach to it as an apposition ('prevent a successful attack Syrian
    troops'): English joins two such nouns with 'of', 'to' or 'by', or punctuates an
    apposition. The first noun must be a noun for sure (a determiner or adjective of its
    own, and an object, not a subject), so a verb the tagger read as a noun ('The latter
    target primarily churches') is not taken for one."""
    if s.kind != "body" or s.is_quote:
        return None
    found = _bare_noun_phrase(doc, s, sdoc)
    if found is not None:
        return found
    for t in sdoc:
        if t.tag_ not in _COMMON_NOUN or t.dep_ != "appos" or t.text[:1].isupper():
            continue
        head = t.head
        if head.tag_ not in _COMMON_NOUN or head.i >= t.i or t.left_edge.i != head.i + 1 or head.text[:1].isupper():
            continue
        if head.dep_ not in ("dobj", "pobj", "attr") or not any(c.dep_ in ("det", "amod", "poss") and c.i < head.i for c in head.children):
            continue  # (a noun after a subject is more often a verb the tagger read as a noun: 'The latter target churches')
        if not any(c.dep_ == "amod" and c.i < t.i for c in t.children) or sdoc[head.i + 1].tag_ != "JJ":
            continue  # 'the company shares': two bare nouns, more often a compound the parser split;
            # 'together with the warships two new boats': a comma missing before a subject
        lists = syntax_words()
        if t.lower_ in lists["time_nouns"] or any(x.is_punct or x.is_quote for x in sdoc[head.i + 1: t.i]):
            continue  # 'in charge of the room her entire life': a time; a quoted name
        if head.dep_ == "dobj" and head.head.lower_ in lists["object_complement_verbs"]:
            continue  # 'Consider these clusters red flags': an object and its complement
        span = sdoc[head.left_edge.i: t.i + 1]
        return _span_finding(
            NOUN_CASE, doc, s,
            f"'{span.text}': a noun phrase right after the noun '{head.text}' (English needs 'of', 'to' or 'by' between): {_DAMAGE}",
            data={"noun": head.text, "second": t.text},
        )
    return None


def _bare_noun_phrase(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """The other shapes of a lost case ending, each a noun phrase set bare, without a comma,
    where English needs 'of', 'to' or a comma: a plural noun after the plural object it
    belongs to, at the end ('passed the location of the troops terrorists'); 'one of ...'
    right after an object noun ('shelled the militants one of the cells'); a 'the' phrase
    with its 'of' right after a name ('the villages of X and Y the district of Z')."""
    lists = syntax_words()
    last = _last_word(sdoc)
    for t in sdoc:
        if t.i == 0 or t.text[:1].isupper():
            continue
        prev = sdoc[t.i - 1]
        if (last is not None and t.i == last.i and t.tag_ == "NNS" and t.dep_ == "appos" and t.head.i == prev.i and prev.tag_ == "NNS"
                and prev.text.islower() and prev.dep_ in ("pobj", "dobj") and not list(t.children)):
            span, kind = sdoc[prev.i: t.i + 1], "plural"
        elif (t.lower_ == "one" and t.dep_ not in ("nummod", "nsubj", "nsubjpass") and t.i + 1 < len(sdoc)
              and sdoc[t.i + 1].lower_ == "of" and prev.tag_ in _COMMON_NOUN and prev.text.islower()
              and prev.dep_ in ("dobj", "pobj") and any(c.dep_ in ("det", "poss") for c in prev.children)
              and not _complement_verb_above(prev, lists)):
            span, kind = sdoc[prev.left_edge.i: t.i + 2], "one-of"
        elif (t.tag_ in _COMMON_NOUN and t.dep_ == "appos" and t.i >= 2 and prev.lower_ == "the" and prev.head.i == t.i
              and sdoc[t.i - 2].tag_ in ("NNP", "NNPS") and sdoc[t.i - 2].text[:1].isupper()
              and sdoc[t.i - 2].dep_ in ("pobj", "conj") and not _complement_verb_above(sdoc[t.i - 2], lists)
              and any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children)):
            span, kind = sdoc[t.i - 2: t.i + 1], "the-phrase"
        else:
            continue
        return _span_finding(
            NOUN_CASE, doc, s,
            f"'{span.text}': a noun phrase set bare after a noun (English needs 'of', 'to' or a comma between): {_DAMAGE}",
            data={"noun": prev.text if kind != "the-phrase" else sdoc[t.i - 2].text, "second": t.text, "kind": kind},
        )
    return None


def _complement_verb_above(tok, lists) -> bool:
    """Whether a verb that takes an object and its complement governs ``tok`` ('declared Mr
    Palmer the winner', 'considers protecting the monarchy one of its priorities', 'being the
    capital one of the few'): the second noun phrase is English there."""
    if tok.head.lower_ in _BE_FORMS:
        return True
    for a in tok.ancestors:
        if a.pos_ not in ("VERB", "AUX"):
            continue
        if a.lower_ in lists["object_complement_verbs"] or a.lower_ in lists["double_object_participles"]:
            return True
        if any(c.dep_ in _SUBJECT_DEPS for c in a.children):
            return False  # the clause ends here: a verb above it does not govern the phrase
    return False


# -- X115: a preposition kept from Russian case government --------------------------------------

def _calqued_preposition(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """A verb with a preposition attached that English does not use with it
    (``calqued_prepositions``: 'accused X in Y', 'depends from'). 'accused' with an 'of' of its
    own has its charge, so an 'in' beside it is a place or a medium ('accused him in a
    statement of fraud'); a preposition set off by a comma is an aside; one before a time
    ('complained on Monday') is a date."""
    if s.kind != "body" or s.is_quote:
        return None
    lists = syntax_words()
    pairs = lists["calqued_prepositions"]
    low = s.text.lower()
    if not any(pair.partition(" ")[0] in low for pair in pairs):
        return None  # (most sentences hold none of the verbs: no walk over the parse)
    for p in sdoc:
        if p.dep_ != "prep" or p.tag_ != "IN" or p.i == 0 or sdoc[p.i - 1].text == ",":
            continue
        verb = p.head
        if verb.pos_ != "VERB" or verb.i > p.i or f"{verb.lower_} {p.lower_}" not in pairs:
            continue
        if any(c.dep_ == "prep" and c.lower_ == "of" for c in verb.children) or any(
                t.lower_ == "of" for t in sdoc[verb.i: p.i]) or any(_charge_of(t, lists) for t in p.subtree):
            continue  # 'accused him in a statement on Monday of taking bribes': the charge has its 'of'
        gap = sdoc[verb.i + 1: p.i]
        objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < p.i]
        if any(t.tag_ not in ("RB", "RP") and not (objects and objects[0].left_edge.i <= t.i <= objects[0].right_edge.i)
               for t in gap):
            continue  # only the verb's object or an adverb between: else the preposition is a later word's
        objects = [c for c in p.children if c.dep_ in ("pobj", "pcomp")]
        if not objects or _calendar(objects[0], lists) or objects[0].lower_ in lists["time_nouns"]:
            continue
        return _span_finding(
            CALQUED_PREPOSITION, doc, s,
            f"'{verb.text} ... {p.text}': English does not use '{p.text}' with '{verb.text}' (Russian case government): {_DAMAGE}",
            data={"verb": verb.text, "preposition": p.text, "preposition_offset": s.start + p.idx},
        )
    return None


def _charge_of(tok, lists) -> bool:
    """Whether ``tok`` is an 'of' that the parser hung inside the preposition's phrase but
    that belongs to the verb: it takes a gerund ('of taking bribes') or follows a time ('on
    Monday of fraud')."""
    if tok.lower_ != "of" or tok.i == 0:
        return False
    before = tok.doc[tok.i - 1]
    return any(c.dep_ == "pcomp" for c in tok.children) or _calendar(before, lists) or before.lower_ in lists["time_nouns"]


# -- X114: a sentence or quoted phrase that stops short ----------------------------------------

_TRAILING_OFF = ("...", "…", "-", "—", "–")


def _unfinished(doc: Document, s: Sentence, sdoc) -> Finding | None:
    """A sentence or quoted phrase whose last word is one a finished English phrase cannot
    end on (``unfinished_endings``, ``unfinished_quote_endings``): 'The tax rose on fuel and
    the.', 'calls the city “the last stronghold of” terrorists'. A line that stops with no
    full stop ('The military shelled the increasingly') is text cut off, B107's. A sentence that
    trails off on purpose ('If a princess says that...') or a capital ('Plan A', 'Group B') is
    not one; a quoted phrase must have two words, so a quoted word ('the letter “a”') is not."""
    lists = syntax_words()
    last = _last_word(sdoc)
    if last is None or last.i < 2:
        return None
    ending = s.text.rstrip().rstrip("\"”»’')]")
    if (last.text.islower() and last.lower_ in lists["unfinished_endings"] and not ending.endswith(_TRAILING_OFF)
            and not _cut_off_line(doc, s, ending)):
        return _span_finding(
            UNFINISHED, doc, s,
            f"The sentence stops on '{last.text}': its end is missing: {_DAMAGE}",
            data={"word": last.text, "kind": "sentence"},
        )
    if "”" not in s.text and "»" not in s.text and '"' not in s.text:
        return None
    for q in sdoc:
        if q.i < 3 or not (q.text in ("”", "»") or (q.tag_ == "''" and q.text == '"')):
            continue
        word, before = sdoc[q.i - 1], sdoc[q.i - 2]
        if (word.text.islower() and word.lower_ in lists["unfinished_quote_endings"] and not word.whitespace_
                and (before.is_alpha or before.text[:1].isalnum()) and not before.is_quote):
            return _span_finding(
                UNFINISHED, doc, s,
                f"The quotation closes after '{before.text} {word.text}', in the middle of its phrase: {_DAMAGE}",
                data={"word": word.text, "kind": "quote", "quote_offset": s.start + q.idx},
            )
    return None


def _cut_off_line(doc: Document, s: Sentence, ending: str) -> bool:
    """Whether the sentence ends its line with no full stop: text the page cut off, which the
    boilerplate family reports (B107, truncated text); X114 judges the sentences that end as
    sentences do and still stop on 'the' or 'and'."""
    if ending[-1:] in ".!?…;:":
        return False
    rest = doc.text[s.end: s.end + 200]
    return not rest.strip(" \t") or rest.lstrip(" \t")[:1] in ("\n", "\r")


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
        if any(x.pos_ in ("VERB", "AUX") or x.tag_.startswith("VB") or x.tag_ == "MD"
               or (_verb_tagged_as_noun(x) and x.dep_ not in ("compound", "pobj")) for x in sdoc[t.i + 1:]):
            # (a noun modifying the next one or governed by a preposition is not a verb: "coalition forces aircraft of the air force")
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


# The structural judges, in the order they are tried on a sentence (the first finding wins).
_STRUCTURAL_JUDGES = (
    ("X104", _fragment), ("X105", _missing_subject), ("X107", _inversion), ("X106", _verbless_clause),
    ("X111", _bare_not), ("X108", _subject_comma), ("X109", _comma_that), ("X110", _perfect_past_time),
    ("X112", _noun_case), ("X115", _calqued_preposition), ("X114", _unfinished), ("X101", _no_finite_verb),
)

FAMILY = Family(name="syntax", prefix="X", rules=RULES, check=check)
