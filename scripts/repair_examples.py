"""Repair candidates as fix-score training examples (shared by train_fix_score.py and eval_fix_scoring.py).

The offline repairs (``mtcheck.rewrite.repairs``) run on text as ``scan --rewrite`` runs them
(parse, rules, every sentence treated as flagged, ``candidates.repair_candidates`` on the
rule-fixed sentence), and each candidate the run-time checks let through (``protect.violations``)
becomes an example scored the run-time way: ``Pair(original, candidate, expected)`` with the
join's two sentences for a join. Its label comes from a human version of the line:

- ``real``: machine translation with a human version (MLQE-PE post-edit, daseg reference, WMT21
  reference A). The line with the repair against the line with the rule fixes only, both
  against the human version (sacrebleu sentence chrF and TER): good when chrF rises by at
  least ``GOOD_CHRF`` points and TER does not rise; bad when it moves away (TER rises and chrF
  does not, or chrF falls by at least ``GOOD_CHRF`` and TER does not fall); anything between
  is left out (counted).
- ``synthetic``: clean professional English (newstest) damaged the way Russian MT damages it
  (``CORRUPTIONS``, one damage class each, matching the classes the transforms repair), then
  repaired: good when the repair restores the clean line or moves toward it (as above), bad
  otherwise.
- ``clean``: repairs forced on text that needs none (newstest English, WMT21 reference A, MT
  that needed no post-edit): every one a bad fix (restraint).

Everything is seeded and deterministic; the same arguments give the same examples.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOOD_CHRF = 1.0  # points of sentence chrF a good repair gains at least
BATCH = 64


@dataclass
class RepairCandidate:
    """One repair the run-time checks let through, with what it is scored and labelled on."""

    line: int  # index into the lines given to ``harvest``
    original: str  # what the scorer compares (the sentence, or both sentences of a join)
    candidate: str
    expected: str  # the original with its rule fixes applied
    transforms: tuple[str, ...]
    before: str  # the whole line with the rule-fixed sentence(s) in place
    after: str  # the whole line with the repair in place


def _pipeline():
    from mtcheck.config import Config
    from mtcheck.pipeline import Pipeline
    from mtcheck.settings import Settings

    return Pipeline(Settings(config=Config(), neural=False, parse=True, rewrite=True))


_PIPE = None


def harvest(lines: Sequence[str], label: str = "line") -> tuple[list[RepairCandidate], int]:
    """The repair candidates of every sentence of ``lines`` (each line its own document, every
    sentence treated as flagged, as ``eval_repairs.py`` does), and how many the run-time checks
    rejected (a name, number, date or negation changed: never scored at run time)."""
    from mtcheck.document import Document
    from mtcheck.rewrite.candidates import build_target, findings_by_sentence, normalize_space, repair_candidates

    global _PIPE
    if _PIPE is None:
        _PIPE = _pipeline()
    stages = [s for s in _PIPE.stages if s.name not in ("rewrite", "quality")]
    out: list[RepairCandidate] = []
    rejected = 0
    for k in range(0, len(lines), BATCH):
        chunk = lines[k:k + BATCH]
        docs = [Document.from_text(t.rstrip("\n") + "\n", path=f"{label}-{k + i}") for i, t in enumerate(chunk)]
        _PIPE.run(docs, stages)
        targets, where = [], []
        for i, doc in enumerate(docs):
            by_sentence = findings_by_sentence(doc)
            for s in doc.sentences:
                findings = [f for f in by_sentence.get(s.index, []) if s.start <= f.start and f.end <= s.end]
                targets.append(build_target(doc, s, True, False, findings))
                where.append(k + i)
        fixed = {(id(t.doc), t.sentence.index): t.fixed for t in targets}
        for t, line, cands in zip(targets, where, repair_candidates(targets, fixed)):
            text = t.doc.text
            for c in cands:
                if c.rejected:
                    rejected += 1
                    continue
                cand = normalize_space(c.text)
                if c.joins is not None:
                    start, original, expected = c.joins.start, c.joined_original, c.joined_expected
                else:
                    start, original, expected = t.sentence.start, t.original_normalized, t.fixed_normalized
                end = t.sentence.end
                before = normalize_space(text[:start] + " " + expected + " " + text[end:])
                after = normalize_space(text[:start] + " " + cand + " " + text[end:])
                out.append(RepairCandidate(line, original, cand, expected, tuple(c.transforms), before, after))
    return out, rejected


def movement(before: str, after: str, reference: str) -> tuple[float, float]:
    """(chrF gain, TER change) of ``after`` over ``before``, both against ``reference``."""
    from sacrebleu.metrics import CHRF, TER

    chrf, ter = CHRF(), TER()
    d_chrf = chrf.sentence_score(after, [reference]).score - chrf.sentence_score(before, [reference]).score
    d_ter = ter.sentence_score(after, [reference]).score - ter.sentence_score(before, [reference]).score
    return d_chrf, d_ter


def judge(d_chrf: float, d_ter: float, synthetic: bool = False) -> bool | None:
    """True: toward the human version (neither measure worse, and chrF up by ``GOOD_CHRF`` or
    TER down: chrF does not see spaces, so "can not" -> "cannot" moves TER alone); False: away
    from it (the mirror image); None: neither (left out). For synthetic damage every repair that
    does not move toward the clean line is bad."""
    if d_chrf >= 0 and d_ter <= 0 and (d_chrf >= GOOD_CHRF or d_ter < 0):
        return True
    if synthetic:
        return False
    if d_chrf <= 0 and d_ter >= 0 and (d_chrf <= -GOOD_CHRF or d_ter > 0):
        return False
    return None


# -- synthetic damage -----------------------------------------------------------------------
# Each corruption takes a clean sentence (and its spaCy parse) and returns it damaged the way
# Russian->English MT damages it, or None where its pattern is not there. They are written from
# the damage (Russian word order and government, no articles, no dummy subjects), not from the
# transforms' code: the transforms' word lists are not read here.

def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _low(s: str, doc_first) -> str:
    # names, acronyms, "I" and adjectives of nationality keep their capital
    if doc_first is not None and (doc_first.tag_ in ("NNP", "NNPS", "JJ") or doc_first.text.isupper() or doc_first.text == "I"):
        return s
    return s[:1].lower() + s[1:]


_IMPERSONAL = re.compile(r"^It (is|was|has been|had been|will be|would be|could be|can be) (?!\w+ing\b)(\w+(?:ed|wn|en|ght|id))( that| to)\b")
_REPORT = re.compile(r"^It (?:is|was|has been) (also )?(reported|stated|noted|said|announced|claimed|added|explained|stressed) that\b")


def impersonal_passive(text, doc):
    """"It was decided to ..." -> "Was decided to ..." (Russian "Было решено")."""
    m = _IMPERSONAL.match(text)
    return _cap(text[3:]) if m else None


def subjectless_report(text, doc):
    """"It was reported that ..." -> "Reported that ..." (Russian "Сообщается, что")."""
    m = _REPORT.match(text)
    if not m:
        return None
    head = ("Also " + m.group(2)) if m.group(1) else _cap(m.group(2))
    return head + text[m.end(2):]


_FRONTED_START = {"in", "on", "at", "during", "last", "yesterday", "today", "earlier", "this", "since"}


def fronted_passive(text, doc):
    """"On 15 September, the sixth round was held." -> "15 September was held the sixth round."
    (a fronted time or place with the passive verb before its subject)."""
    if len(doc) < 6 or doc[0].lower_ not in _FRONTED_START:
        return None
    comma = next((t.i for t in doc[:9] if t.text == ","), None)
    if comma is None or comma < 2:
        return None
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.tag_ != "VBN" or root.i <= comma:
        return None
    aux = [c for c in root.children if c.dep_ == "auxpass" and c.lower_ in ("was", "were", "is", "are")]
    subj = [c for c in root.children if c.dep_ == "nsubjpass"]
    if len(aux) != 1 or len(subj) != 1:
        return None
    aux, subj = aux[0], subj[0]
    left, right = subj.left_edge.i, subj.right_edge.i
    if left != comma + 1 or right + 1 != aux.i or aux.i + 1 != root.i:
        return None  # subject, auxiliary and verb must follow each other right after the comma
    fronted = doc[:comma].text
    if doc[0].lower_ == "on" and doc[1].like_num:  # Russian "15 сентября": no preposition
        fronted = doc[1:comma].text
    subject = _low(doc[left:right + 1].text, doc[left])
    rest = doc[root.i + 1:].text
    sep = "" if rest[:1] in ",.;:!?" else " "
    return _cap(fronted) + f" {aux.text} {root.text} {subject}{sep}{rest}"


_PREP_SUBJECT = re.compile(
    r"^The ((?:[A-Z][\w-]+ ){0,3}(?:Kremlin|Pentagon|White House|Ministry|ministry|Department|department|Office|"
    r"Embassy|embassy|government|Government|police|army|military|Commission|Committee|committee|headquarters)) "
    r"(said|stated|noted|reported|announced|added|stressed|explained|confirmed|believe|believed)\b")


def prepositional_subject(text, doc):
    """"The Kremlin said ..." -> "In the Kremlin said ..." (Russian "В Кремле заявили")."""
    m = _PREP_SUBJECT.match(text)
    return "In the " + text[4:] if m else None


_THERE_NO = re.compile(r"^There (is|are) no ([^,;:\"]{6,60}?)\.$")


def bare_negation(text, doc):
    """"There are no soldiers in the area." -> "Soldiers in the area no." (Russian "... нет")."""
    m = _THERE_NO.match(text)
    return _cap(m.group(2)) + " no." if m else None


_GOVERNMENT = [  # (English verb with its preposition, the calqued preposition Russian gives)
    (r"\b(accus(?:e|es|ed|ing)|suspect(?:s|ed|ing)?|convict(?:s|ed|ing)?)\b([^,.;]{2,40}?) of\b", "in"),
    (r"\b(congratulat(?:e|es|ed|ing))\b([^,.;]{2,40}?) on\b", "with"),
    (r"\b(consist(?:s|ed|ing)?)()\s+of\b", "from"),
    (r"\b(depend(?:s|ed|ing)?)()\s+on\b", "from"),
    (r"\b(participat(?:e|es|ed|ing))()\s+in\b", "at"),
    (r"\b(insist(?:s|ed|ing)?)()\s+on\b", "at"),
    (r"\b(differ(?:s|ed|ing)?)()\s+from\b", "with"),
]


def calqued_preposition(text, doc, rng):
    """"accused X of" -> "accused X in" and the like (the Russian verb's preposition)."""
    hits = [(m, prep) for pattern, prep in _GOVERNMENT for m in re.finditer(pattern, text)]
    if not hits:
        return None
    m, prep = rng.choice(hits)
    return text[:m.start()] + m.group(1) + m.group(2) + " " + prep + text[m.end():]


_MISSING = re.compile(r"\b(pander(?:s|ed|ing)?|comment(?:s|ed|ing)?|listen(?:s|ed|ing)?|respond(?:s|ed|ing)?|"
                      r"complain(?:s|ed|ing)?|object(?:s|ed|ing)?) (to|on|about) (?=the |a |an |[a-z]+ )")


def missing_preposition(text, doc):
    """"refused to comment on the situation" -> "refused to comment the situation" (Russian
    "комментировать" takes a direct object)."""
    hits = [m for m in _MISSING.finditer(text)
            if doc is not None and any(t.idx == m.start() and t.pos_ == "VERB" for t in doc)]
    if not hits:
        return None
    m = hits[0]
    return text[:m.start()] + m.group(1) + " " + text[m.end():]


def can_not(text, doc):
    """"cannot" -> "can not" (Russian "не может", word by word)."""
    return re.sub(r"\b([Cc])annot\b", r"\1an not", text, count=1) if re.search(r"\b[Cc]annot\b", text) else None


_AGREE = {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has"}


def subject_verb_agreement(text, doc):
    """The verb made to agree with the wrong word: "The new rules have been" -> "has been"."""
    for t in doc:
        if t.lower_ not in _AGREE or t.i == 0 or not t.text.islower():
            continue
        prev = doc[t.i - 1]
        subj = t.head if t.dep_ in ("aux", "auxpass") else t
        if not any(c.dep_ in ("nsubj", "nsubjpass") and c.i == prev.i for c in subj.children) or prev.tag_ not in ("NN", "NNS"):
            continue
        if (prev.tag_ == "NNS") != (t.lower_ in ("are", "were", "have")):
            continue  # already odd in the clean text
        return text[:t.idx] + _AGREE[t.lower_] + text[t.idx + len(t.text):]
    return None


_IRREGULAR_BASE = {"is": "be", "are": "be", "am": "be", "has": "have", "does": "do", "goes": "go"}


def _base_form(verb) -> str | None:
    """The base form of a present-tense verb (the parse model has no lemmatizer)."""
    low = verb.lower_
    if not low.isalpha():
        return None
    if low in _IRREGULAR_BASE:
        return _IRREGULAR_BASE[low]
    if verb.tag_ == "VBP":
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return low[:-2]
    return low[:-1] if low.endswith("s") else None


def future_in_condition(text, doc):
    """"If the state continues" -> "If the state will continue" (Russian future in a condition)."""
    for t in doc:
        if t.lower_ not in ("if", "when", "until", "before") or t.dep_ != "mark":
            continue
        verb = t.head
        if verb.tag_ not in ("VBZ", "VBP") or verb.i <= t.i or any(c.dep_ in ("aux", "auxpass", "neg") for c in verb.children):
            continue
        lemma = _base_form(verb)
        if not lemma:
            continue
        return text[:verb.idx] + "will " + lemma + text[verb.idx + len(verb.text):]
    return None


def which_for_person(text, doc):
    """", who" -> ", which" (Russian "который" serves both)."""
    m = re.search(r"(?<=[a-z]), who\b(?! (?:is|are|was|were|has|have) (?:a|an|the)\b)", text)
    return text[:m.start()] + ", which" + text[m.end():] if m else None


_INSTITUTION = re.compile(r"\b(of|by|from|to|with) the ((?:[A-Z][a-z]+ ){1,2}(?:Ministry|Army|army|Council|Government|"
                          r"government|Command|Coalition|coalition|Department|Agency|Navy|Committee|Commission|Embassy|"
                          r"Administration|Parliament|parliament|Defense|Defence))\b")


def institution_article(text, doc):
    """"of the Russian Foreign Ministry" -> "of Russian Foreign Ministry" (no articles in Russian)."""
    m = _INSTITUTION.search(text)
    return text[:m.start()] + m.group(1) + " " + m.group(2) + text[m.end():] if m else None


_NAME_THE = re.compile(r"(?<=[a-z,] )the (US|USA|U\.S\.|UK|United States|United Kingdom|Pentagon|Kremlin|White House|"
                       r"State Department|European Union|EU|Netherlands)(?=[.,;:]| (?:and|on|in|to|of|for|has|had|is|was|said|will|would)\b)")


def name_article(text, doc):
    """"support the US" -> "support US"."""
    m = _NAME_THE.search(text)
    return text[:m.start()] + m.group(1) + text[m.end():] if m else None


_THAT = re.compile(r"\b(said|says|stated|noted|believes|believe|believed|convinced|claimed|reported|announced|added|"
                   r"stressed|clear|sure|known|confirmed|thinks|think|thought|hopes|hoped|warned|argued) that\b")


def comma_before_that(text, doc):
    """"said that" -> "said, that" (Russian punctuation before "что")."""
    m = _THAT.search(text)
    return text[:m.end(1)] + ", that" + text[m.end():] if m else None


_QUOTE = re.compile(r'^(["“])([^"”]{10,}?),(["”]) (said|says|stated|added|told|asked|noted|explained)\b')


def quote_attribution(text, doc):
    """'"The strikes will continue," said X.' -> '"The strikes will continue", — said X.'"""
    m = _QUOTE.match(text)
    return f"{m.group(1)}{m.group(2)}{m.group(3)}, — {m.group(4)}" + text[m.end():] if m else None


_PARTICIPLE = re.compile(r"^(.{25,}?), ((?:killing|injuring|wounding|leaving|causing|prompting|forcing|making|bringing|"
                         r"sparking|raising|triggering)\b[^,;:]{8,})\.$")


def participle_fragment(text, doc):
    """"X attacked the town, killing two." -> "X attacked the town. Killing two." (the participle
    phrase left standing as a sentence)."""
    m = _PARTICIPLE.match(text)
    return f"{m.group(1)}. {_cap(m.group(2))}." if m else None


_SUBORDINATE = re.compile(r"^(.{25,}?), (as|while|whereas|although|because|since) ([^,;:]{12,})\.$")


def subordinate_fragment(text, doc):
    """"X said Y, as the army advanced." -> "X said Y. As the army advanced." (Russian punctuation
    ends the sentence before the subordinate clause)."""
    m = _SUBORDINATE.match(text)
    return f"{m.group(1)}. {_cap(m.group(2))} {m.group(3)}." if m else None


def while_fragment(text, doc):
    """"Meanwhile, the ministry said ..." -> "While the ministry said ..." (Russian "При этом")."""
    m = re.match(r"^(?:Meanwhile|At the same time), (?=\S)", text)
    if not m or len(doc) < 6:
        return None
    first = next((t for t in doc if t.idx == m.end()), None)
    return "While " + _low(text[m.end():], first)


CORRUPTIONS: dict[str, Callable] = {
    "impersonal-passive": impersonal_passive,
    "subjectless-report": subjectless_report,
    "fronted-passive": fronted_passive,
    "prepositional-subject": prepositional_subject,
    "bare-negation": bare_negation,
    "calqued-preposition": calqued_preposition,
    "missing-preposition": missing_preposition,
    "can-not": can_not,
    "subject-verb-agreement": subject_verb_agreement,
    "future-in-condition": future_in_condition,
    "which-for-person": which_for_person,
    "institution-article": institution_article,
    "name-article": name_article,
    "comma-before-that": comma_before_that,
    "quote-attribution": quote_attribution,
    "participle-fragment": participle_fragment,
    "subordinate-fragment": subordinate_fragment,
    "while-fragment": while_fragment,
}


def corrupt(lines: Sequence[str], per_class: int, seed: int) -> list[tuple[int, str, str]]:
    """(index of the clean line, damage class, damaged line): at most ``per_class`` lines of
    each class, each clean line damaged once per class that fits it, lines taken in a seeded
    order."""
    from mtcheck.neural.parse import parse_texts

    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    docs = parse_texts([lines[i] for i in order])
    taken: dict[str, int] = {k: 0 for k in CORRUPTIONS}
    out = []
    for i, doc in zip(order, docs):
        text = lines[i]
        rng = random.Random(f"{seed}-{i}")
        for name, fn in CORRUPTIONS.items():
            if taken[name] >= per_class:
                continue
            damaged = fn(text, doc, rng) if name == "calqued-preposition" else fn(text, doc)
            if damaged and damaged != text:
                out.append((i, name, damaged))
                taken[name] += 1
    return out


# -- the training sets ------------------------------------------------------------------------
# Kinds of repair example: good ones first.
GOOD_KINDS = ("repair_toward", "repair_restores")
BAD_KINDS = ("repair_away", "repair_misses", "repair_on_clean")
NEWSTEST_YEARS = (2012, 2013, 2014, 2016, 2017, 2018)  # ru_en_corpus.TRAIN_YEARS without 2015 (daseg's references)
QUALITY_SAMPLE_EVERY = 12  # eval_quality.py's newstest sample: every 12th non-blank line, left out here
SID_BASE = {"mlqe": 1_000_000, "daseg": 2_000_000, "wmt21": 3_000_000, "newstest": 4_000_000}  # CV groups apart


HELD_OUT_NEWSTEST_YEARS = (2019, 2020)  # ru_en_corpus.HELD_OUT_YEARS


def split_half(lines: list, held_out: bool) -> list:
    """eval_repairs.py --half: the first half of a file's lines (dev, trained on) or the second
    (held out, reported on)."""
    mid = len(lines) // 2
    return lines[mid:] if held_out else lines[:mid]


def newstest_lines(folder: Path, held_out: bool = False) -> list[str]:
    """Clean English for damage and restraint. Training: newstest training years (2015 left out:
    it holds daseg's references), the first half of each file (eval_repairs.py reports on the
    second), without eval_quality.py's every-12th-line sample. Held out: 2019-2020, which
    eval_names.py holds out and nothing here trains on."""
    out = []
    for year in (HELD_OUT_NEWSTEST_YEARS if held_out else NEWSTEST_YEARS):
        raw = (folder / f"newstest{year}.en").read_text(encoding="utf-8").splitlines()
        if held_out:
            out += [t.strip() for t in raw if t.strip()]
            continue
        nonblank = [i for i, t in enumerate(raw) if t.strip()]
        sampled = set(nonblank[::QUALITY_SAMPLE_EVERY])
        out += [raw[i].strip() for i in range(len(raw) // 2) if raw[i].strip() and i not in sampled]
    return out


def wmt21_lines(folder: Path, held_out: bool = False) -> tuple[list[str], list[str], list[str], list[int]]:
    """(MT lines, their reference A, reference A's own lines, the line number of each reference
    line). Training: the ten systems on the even-numbered 20-line stories (eval_quality.py holds
    out the odd ones) of the first half of the lines (eval_repairs.py reports on the second).
    Held out: the second half, every story."""
    from quality_data import STORY_LINES

    reference = (folder / "newstest2021.ru-en.ref.A.en").read_text(encoding="utf-8").splitlines()
    mid = len(reference) // 2
    keep = list(range(mid, len(reference))) if held_out else [i for i in range(mid) if (i // STORY_LINES) % 2 == 0]
    mt, ref = [], []
    for hyp in sorted(folder.glob("newstest2021.ru-en.hyp.*.en")):
        lines = hyp.read_text(encoding="utf-8").splitlines()
        mt += [lines[i] for i in keep]
        ref += [reference[i] for i in keep]
    return mt, ref, [reference[i] for i in keep], keep


def _examples(cands, refs, sids, kind_of, hter=None, damage=None):
    from fixscore_data import Example

    out, stats = [], {"left_out": 0}
    for c in cands:
        kind = kind_of(c)
        if kind is None:
            stats["left_out"] += 1
            continue
        out.append(Example(sids[c.line], hter[c.line] if hter else None, c.original, c.candidate, kind, c.expected,
                           source="repairs", transforms=c.transforms, damage=damage[c.line] if damage else None))
    return out, stats


def real_kind(refs):
    def kind(c):
        verdict = judge(*movement(c.before, c.after, refs[c.line]))
        return None if verdict is None else "repair_toward" if verdict else "repair_away"
    return kind


def build(shared: Path, seed: int = 0, per_class: int = 60, clean: int = 3000, held_out: bool = False,
          log=print) -> tuple[list, dict]:
    """Repair examples from the training parts of the data in ``shared`` (see the module
    docstring; ``held_out``: from the parts nothing trains on: MLQE-PE pe.dev, the second half
    of daseg and WMT21, newstest 2019-2020), and counts per data set and kind. ``per_class``:
    damaged lines per damage class; ``clean``: clean newstest lines for restraint."""
    import fixscore_data as fd

    examples, stats = [], {}

    def add(name, exs, st, rejected):
        examples.extend(exs)
        from collections import Counter

        stats[name] = {"examples": dict(Counter(e.kind for e in exs)), "ambiguous_left_out": st["left_out"],
                       "rejected_at_run_time": rejected}
        log(f"  {name}: {stats[name]}")

    mlqe = shared / "mlqe-pe-ru-en"
    split = "dev" if held_out else "train"
    if (mlqe / f"pe.{split}.mt").exists():
        rows = fd.read_split(mlqe, split)
        mt, pe, hter = [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
        cands, rej = harvest(mt, "mlqe")
        sids = [SID_BASE["mlqe"] + r[0] for r in rows]
        real = real_kind(pe)
        add(f"mlqe pe.{split}", *_examples(cands, pe, sids, lambda c: "repair_on_clean" if hter[c.line] == 0 else real(c), hter), rej)
    daseg = shared / "daseg-ru-en-2015"
    if daseg.is_dir():
        mt = split_half((daseg / "newstest2015.mt-system").read_text(encoding="utf-8").splitlines(), held_out)
        ref = split_half((daseg / "newstest2015.reference").read_text(encoding="utf-8").splitlines(), held_out)
        cands, rej = harvest(mt, "daseg")
        add(f"daseg {'held-out' if held_out else 'dev'} half", *_examples(cands, ref, [SID_BASE["daseg"] + i for i in range(len(mt))], real_kind(ref)), rej)
    wmt21 = shared / "wmt21-ru-en"
    if wmt21.is_dir():
        mt, ref, ref_lines, line_no = wmt21_lines(wmt21, held_out)
        cands, rej = harvest(mt, "wmt21")
        # a sentence's ten translations and its reference share a group (one source sentence)
        sids = [SID_BASE["wmt21"] + line_no[i % len(line_no)] for i in range(len(mt))]
        add("wmt21 systems", *_examples(cands, ref, sids, real_kind(ref)), rej)
        cands, rej = harvest(ref_lines, "wmt21-ref")
        add("wmt21 ref.A (clean)", *_examples(cands, ref_lines, [SID_BASE["wmt21"] + n for n in line_no],
                                              lambda c: "repair_on_clean"), rej)
    newstest = shared / "newstest-ru-en"
    if newstest.is_dir():
        lines = newstest_lines(newstest, held_out)
        order = list(range(len(lines)))
        random.Random(seed).shuffle(order)
        chosen = [lines[i] for i in order[:clean]]
        sids = [SID_BASE["newstest"] + i for i in order[:clean]]
        cands, rej = harvest(chosen, "newstest")
        add("newstest (clean)", *_examples(cands, chosen, sids, lambda c: "repair_on_clean"), rej)
        damaged = corrupt(lines, per_class, seed)
        texts = [d for _, _, d in damaged]
        clean_of = [lines[i] for i, _, _ in damaged]
        cands, rej = harvest(texts, "damaged")

        def synthetic(c):
            return "repair_restores" if judge(*movement(c.before, c.after, clean_of[c.line]), synthetic=True) else "repair_misses"
        exs, st = _examples(cands, clean_of, [SID_BASE["newstest"] + i for i, _, _ in damaged], synthetic,
                            damage=[k for _, k, _ in damaged])
        from collections import Counter

        stats["damaged lines"] = dict(Counter(k for _, k, _ in damaged))
        add("newstest damaged", exs, st, rej)
    return examples, stats
