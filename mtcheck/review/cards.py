"""One card per sentence that needs attention: what the review desk decides on.

A sentence needs attention when a finding starts in it, a rule fix or a rewrite is proposed
for it, or the quality model flagged it. Its card spans the sentence and whatever its fixes
reach beyond it (a repeated title's fix removes the line break after it); cards whose spans
overlap become one card. The card's *options* are every whole-span text the scan proposes:

- ``rules``: all the rule fixes in the span applied together (``changes.plan``);
- ``safe``: only the safe ones, when some are not safe ("accept all safe fixes" takes it);
- ``fix-N``: one rule fix alone, when there are several;
- ``rewrite``: the sentence's scored rewrite, and ``cand-N``: its other candidates.

Options with the same text are one option (a rewrite made of the rule fixes is the ``rules``
option with the rewrite's score, never a second card). The *best* option is the accepted
rewrite, else all the rule fixes; a card with no option has none, and the page opens an
editor on it. A decision is about the card as a whole: its span, its original text and the
text chosen (``Decision.option`` says which option it was).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from mtcheck.changes import RULE_FIX, Change, Suggestion, apply_changes, plan
from mtcheck.render import diff_tree, h

CARD_KIND = "sentence"


@dataclass
class Option:
    key: str
    label: str
    text: str
    source: str  # rules | backtranslation | both | ...
    codes: list[str] = field(default_factory=list)  # rule codes whose fixes made it
    safe: bool = False
    score: float | None = None
    components: dict = field(default_factory=dict)
    accepted_by_scan: bool = False  # the rewrite stage's own bar (for rewrites)
    transforms: list[str] = field(default_factory=list)  # what made a rewrite, when it says


@dataclass
class Card:
    id: str
    start: int
    end: int
    original: str
    findings: list[dict]  # JSON finding records, offsets into the story
    options: list[Option]
    best: Option | None
    quality: float | None = None
    flagged: bool = False

    @property
    def safe_option(self) -> Option | None:
        """What "accept all safe fixes" takes: the option made of the safe rule fixes only."""
        return next((o for o in self.options if o.key in ("safe", "rules") and o.safe), None)

    @property
    def kind(self) -> str:  # what the decision log records as the suggestion's kind
        return CARD_KIND

    @property
    def code(self) -> str | None:
        return ",".join(sorted({f["rule"] for f in self.findings})) or None

    @property
    def proposed(self) -> str:
        return self.best.text if self.best else self.original

    def damaged(self) -> list[tuple[int, int]]:
        """The findings' spans, relative to the card's original text."""
        out = []
        for f in self.findings:
            a, b = max(f["start"], self.start) - self.start, min(f["end"], self.end) - self.start
            if 0 <= a <= b:
                out.append((a, b))
        return sorted(set(out))

    def option(self, key: str | None) -> Option | None:
        if key in (None, "best"):
            return self.best
        return next((o for o in self.options if o.key == key), None)


def card_id(start: int, end: int, original: str) -> str:
    """Stable across re-scans of the same text, so a decision finds its card again."""
    key = "\x1f".join((CARD_KIND, str(start), str(end), original))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def outside(f: dict) -> bool:
    """A wire story's finding about text its reader left out of the checked text (page
    furniture, a language declaration): nothing in the sentences to edit, so no card; the page
    lists it on its own."""
    return (f.get("data") or {}).get("outside") is not None


def build_cards(text: str, record: dict, suggestions: list[Suggestion]) -> list[Card]:
    sentences = record.get("sentences") or []
    starts = [s["start"] for s in sentences]

    def sentence_at(offset: int) -> dict | None:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and sentences[i]["start"] <= offset < max(sentences[i]["end"], sentences[i]["start"] + 1):
            return sentences[i]
        return None

    # (start, end, findings, suggestions, sentences) for each thing that needs attention.
    units: list[list] = []
    for f in record.get("findings") or []:
        if not (0 <= f["start"] <= f["end"] <= len(text)) or outside(f):
            continue
        s = sentence_at(f["start"])
        a, b = (min(s["start"], f["start"]), max(s["end"], f["end"])) if s else (f["start"], f["end"])
        units.append([a, b, [f], [], [s] if s else []])
    for sg in suggestions:
        if sg.kind != RULE_FIX:
            continue
        s = sentence_at(sg.start)
        a, b = (min(s["start"], sg.start), max(s["end"], sg.end)) if s else (sg.start, sg.end)
        units.append([a, b, [], [sg], [s] if s else []])
    findings = record.get("findings") or []

    def flagged(s: dict) -> bool:
        # Flagged only by a finding outside the story text (a language declaration): no card.
        if not s.get("flagged"):
            return False
        near = [f for f in findings if f["start"] < s["end"] and s["start"] <= f["end"]]
        return not near or not all(outside(f) for f in near)

    for s in sentences:
        if flagged(s) or s.get("rewrite"):
            a, b = rewrite_span(s, len(text))
            units.append([a, b, [], [], [s]])
    units.sort(key=lambda u: (u[0], u[1]))

    merged: list[list] = []
    for u in units:
        last = merged[-1] if merged else None
        if last is not None and (u[0] < last[1] or (u[0] == last[0])):
            last[1] = max(last[1], u[1])
            for k in (2, 3, 4):
                last[k].extend(x for x in u[k] if all(x is not y for y in last[k]))
        else:
            merged.append([u[0], u[1], list(u[2]), list(u[3]), list(u[4])])

    cards = []
    for a, b, findings, fixes, sents in merged:
        original = text[a:b]
        options = _options(original, a, fixes, sents, len(text))
        best = next((o for o in options if o.accepted_by_scan), None) or next((o for o in options if o.key == "rules"), None)
        if best is not None:
            options.remove(best)
            options.insert(0, best)
        qualities = [s["quality"] for s in sents if isinstance(s.get("quality"), (int, float))]
        cards.append(Card(
            id=card_id(a, b, original), start=a, end=b, original=original,
            findings=sorted(findings, key=lambda f: (f["start"], f["end"], f["rule"])),
            options=options, best=best, quality=min(qualities) if qualities else None,
            flagged=any(s.get("flagged") for s in sents),
        ))
    return cards


def _apply(original: str, base: int, fixes: list[Suggestion]) -> tuple[str, list[Suggestion]]:
    changes = [Change(s.start - base, s.end - base, s.original, s.proposed, RULE_FIX, s) for s in fixes]
    kept, _ = plan(original, changes)
    return apply_changes(original, kept), [c.ref for c in kept]


def rewrite_span(s: dict, text_len: int) -> tuple[int, int]:
    """What the sentence's rewrite replaces: the sentence, or the wider ``span`` a repair that
    joins it to its neighbour records (``[start, end]``, holding the sentence)."""
    span = (s.get("rewrite") or {}).get("span")
    if (isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            and 0 <= span[0] <= s["start"] and s["end"] <= span[1] <= text_len):
        return span[0], span[1]
    return s["start"], s["end"]


def _options(original: str, base: int, fixes: list[Suggestion], sents: list[dict], text_len: int) -> list[Option]:
    options: list[Option] = []

    def add(opt: Option) -> None:
        if opt.text == original:
            return
        same = next((o for o in options if o.text == opt.text), None)
        if same is None:
            options.append(opt)
            return
        # The same text from another route (a rewrite made of the rule fixes): one option,
        # with the rewrite's score and bar.
        if same.score is None and opt.score is not None:
            same.score, same.components = opt.score, opt.components
        same.accepted_by_scan = same.accepted_by_scan or opt.accepted_by_scan
        same.transforms = same.transforms or opt.transforms

    fixes = sorted(fixes, key=lambda s: (s.start, s.end))
    if fixes:
        text, used = _apply(original, base, fixes)
        n = len(used)
        add(Option("rules", "all rule fixes" if n > 1 else "rule fix", text, "rules",
                   codes=_codes(used), safe=all(s.safe for s in used), score=used[0].score if n == 1 else None))
        safe = [s for s in fixes if s.safe]
        if safe and len(safe) < len(fixes):
            text, used = _apply(original, base, safe)
            add(Option("safe", "safe rule fixes only", text, "rules", codes=_codes(used), safe=True))
        if len(fixes) > 1:
            for i, s in enumerate(fixes):
                text, used = _apply(original, base, [s])
                add(Option(f"fix-{i + 1}", f"only {s.code}: {s.original!r} → {s.proposed!r}", text, "rules",
                           codes=_codes(used), safe=s.safe, score=s.score))
    inside = {id(s): [f for f in fixes if rewrite_span(s, text_len)[0] <= f.start and f.end <= rewrite_span(s, text_len)[1]]
              for s in sents}
    for s in sents:
        rw = s.get("rewrite")
        if not rw or not rw.get("text"):
            continue
        start, end = rewrite_span(s, text_len)
        a, b = start - base, end - base
        if not (0 <= a <= b <= len(original)) or ((start, end) == (s["start"], s["end"]) and original[a:b] != s["text"]):
            continue

        sa, sb = s["start"] - base, s["end"] - base  # the sentence alone
        joined = (a, b) != (sa, sb) and 0 <= sa <= sb <= len(original)

        def whole(candidate: str, own_span: bool = False) -> str:
            """The card's text with ``candidate`` in place: over the rewrite's span, or, for a
            candidate of a join (which records no span of its own), over the sentence alone
            unless it reads as the join (it opens as the span does, not as the sentence)."""
            lo, hi = a, b
            if joined and not own_span and not _opens_like(candidate, original[a:b], original[sa:sb]):
                lo, hi = sa, sb
            return original[:lo] + candidate + original[hi:]

        def made_of(source: str) -> list[str]:
            return _codes(inside[id(s)]) if source in ("rules", "both") else []

        source = rw.get("source", "backtranslation")
        add(Option("rewrite", "rewrite" if source != "rules" else "rule fixes", whole(rw["text"], own_span=True), source,
                   codes=made_of(source), score=rw.get("fix_score"), components=dict(rw.get("components") or {}),
                   accepted_by_scan=bool(rw.get("accepted")), transforms=[str(t) for t in rw.get("transforms") or []]))
        for i, c in enumerate(rw.get("candidates") or []):
            if not isinstance(c, dict) or not c.get("text"):
                continue
            csource = c.get("source", "backtranslation")
            add(Option(f"cand-{i + 1}", f"candidate {i + 1} ({csource})", whole(c["text"]), csource,
                       codes=made_of(csource), score=c.get("fix_score"), components=dict(c.get("components") or {}),
                       transforms=[str(t) for t in c.get("transforms") or []]))
    return options


def _first_words(text: str, n: int = 3) -> list[str]:
    return [w.casefold() for w in re.findall(r"\w+", text)[:n]]


def _opens_like(candidate: str, span_text: str, sentence_text: str) -> bool:
    head = _first_words(candidate)
    return head == _first_words(span_text) and head != _first_words(sentence_text)


def _codes(fixes: list[Suggestion]) -> list[str]:
    return sorted({s.code for s in fixes if s.code})


# -- plain words --------------------------------------------------------------------------

def score_words(score: float | None, threshold: float) -> str:
    """A fix score in the words an editor reads."""
    if score is None:
        return "not scored"
    if score >= threshold:
        verdict = "likely a good fix"
    elif score >= 0.5:
        verdict = "may be a good fix: read it closely"
    else:
        verdict = "doubtful: check it against the original"
    return f"fix score {score:.2f}: {verdict}"


def what_is_lost(candidate: str, expected: str, original: str | None = None) -> list[str]:
    """Names, numbers, dates and negations that ``candidate`` drops (or adds, for numbers and
    negations), in plain words; empty when it keeps them all. With ``original`` (the text as
    the story has it; ``expected`` is it with the rule fixes applied) only what is lost
    against both counts: "LIH" kept as it was, or written "ISIL" as its fix says, is kept."""
    found = _lost(candidate, expected)
    if original is not None and original != expected:
        other = _lost(candidate, original)
        found = {k: _both(v, other[k]) if isinstance(v, set) else (v and other[k]) for k, v in found.items()}
        found["names"] = _names_lost(candidate, expected, original)
    problems = []
    if found["names"]:
        lost = sorted(found["names"])
        problems.append("drops the name" + ("s " if len(lost) > 1 else " ") + ", ".join(lost[:4]))
    if found["numbers"]:
        problems.append("drops or changes the number " + ", ".join(sorted(found["numbers"])[:4]))
    elif found["added_numbers"]:
        problems.append("adds the number " + ", ".join(sorted(found["added_numbers"])[:4]))
    if found["date"]:
        problems.append("changes a date")
    if found["negation"]:
        problems.append("loses a negation (not, no, never...)")
    elif found["added_negation"]:
        problems.append("adds a negation")
    return problems


def _names_lost(candidate: str, expected: str, original: str) -> set:
    """Names of the sentence the candidate does not keep in either form. Names both forms
    share must be there as often; of the others (those a fix renamed: "SDS" / "SDF"), as many
    must be there in one form or the other as either form has. What is reported: the shared
    names missing, and, when renamed ones are missing, those in their fixed form."""
    from mtcheck.rewrite import protect

    words = Counter(w.casefold() for w in protect.word_tokens(candidate))
    fixed, plain = _names(expected), _names(original)
    common = fixed & plain
    lost = {w for w, n in common.items() if words[w.casefold()] < n}
    only_fixed, only_plain = fixed - common, plain - common
    needed = max(sum(only_fixed.values()), sum(only_plain.values()))
    kept = sum(min(n, words[w.casefold()]) for w, n in (only_fixed + only_plain).items())
    if kept < needed:
        lost |= {w for w in only_fixed if words[w.casefold()] == 0}
    return lost


def _both(against_fixed: set, against_original: set) -> set:
    """What is missing whichever form counts: missing in the same spelling from both, and,
    when each form still misses something (a name the fix renamed: "LIH" / "ISIL"), the rest
    in its fixed form."""
    common = against_fixed & against_original
    rest_fixed, rest_original = against_fixed - common, against_original - common
    return common | (rest_fixed if rest_fixed and rest_original else set())


_SENTENCE_BREAK = re.compile(r"(?<=[.!?…»”\"])\s+|\n+")


def _names(text: str) -> Counter:
    """``protect.name_tokens`` sentence by sentence: a card may hold two sentences, and the
    word that opens the second is no name."""
    from mtcheck.rewrite import protect

    out: Counter = Counter()
    for part in _SENTENCE_BREAK.split(text):
        out.update(protect.name_tokens(part))
    return out


def _lost(candidate: str, reference: str) -> dict:
    from mtcheck.rewrite import protect

    # A name kept in other capitals ("IS" for "is", "As" lower-cased where two sentences
    # became one) is kept: what is checked is that it is there.
    words = Counter(w.casefold() for w in protect.word_tokens(candidate))
    want_n, got_n = protect.numbers(reference), protect.numbers(candidate)
    neg_want, neg_got = protect.negations(reference), protect.negations(candidate)
    return {
        "names": {w for w, n in _names(reference).items() if words[w.casefold()] < n},
        "numbers": set(want_n - got_n),
        "added_numbers": set(got_n - want_n),
        "date": protect.months(reference) != protect.months(candidate),
        "negation": neg_got < neg_want,
        "added_negation": neg_got > neg_want,
    }


def keeps_words(problems: list[str]) -> str:
    return "keeps all names, numbers and negations" if not problems else "warning: " + "; ".join(problems)


# -- the card's view tree -----------------------------------------------------------------

STATE_LABELS = {"pending": "to decide", "accept": "accepted", "reject": "rejected", "edit": "edited",
                "stale": "stale", "superseded": "superseded"}
_FINDING_WORDS = {"error": "error", "warning": "warning", "info": "note"}


def marked_original(card: Card) -> list:
    """The card's original text with its damaged spans in ``mark.dmg``."""
    out: list = []
    at = 0
    for a, b in _disjoint(card.damaged()):
        if a > at:
            out.append(card.original[at:a])
        out.append(h("mark", {"class": "dmg"}, card.original[a:b] or "‸"))
        at = b
    if at < len(card.original):
        out.append(card.original[at:])
    return out


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def option_tree(card: Card, opt: Option, words: str, keeps: str, index: int) -> list:
    return h("li", {"data-opt": opt.key, "data-i": str(index)},
             h("div", {"class": "opt-head"}, h("strong", {}, opt.label), " · ", h("span", {"class": "plain"}, words)),
             h("div", {"class": "cand-text diff"}, diff_tree(card.original, opt.text)),
             h("div", {"class": "keeps"}, keeps))


def card_tree(card: Card, *, state: str, line: int, words: dict[str, tuple[str, str]], chosen_text: str | None,
              chosen: Option | None, note: str | None = None) -> list:
    """The card: where, what the findings say, the best proposal as a word diff with its fix
    score in words and what it keeps, the other options one click away, the internals behind
    a details toggle, and an empty ``.actions`` for the page's buttons."""
    sev = max((f["severity"] for f in card.findings), key=lambda s: ("info", "warning", "error").index(s)
              if s in ("info", "warning", "error") else 0, default=None)
    head = h("div", {"class": "card-head"},
             h("span", {"class": "where"}, f"line {line}"),
             h("span", {"class": f"sev sev-{sev}"}, _FINDING_WORDS.get(sev, sev)) if sev else None,
             h("span", {"class": "quality"}, f"sentence quality {card.quality:.2f}") if card.quality is not None else None,
             h("span", {"class": "badge safe", "title": "made of safe rule fixes: 'accept all safe fixes' takes it"}, "safe fix")
             if card.safe_option is not None else None,
             h("span", {"class": f"state state-{state}"}, STATE_LABELS.get(state, state)))
    body: list = [head]
    if card.findings:
        body.append(h("ul", {"class": "why"}, *(
            h("li", {"class": f"cat-{f['category']}"}, h("code", {}, f["rule"]), " ", f["message"]) for f in card.findings)))
    elif card.flagged:
        body.append(h("ul", {"class": "why"}, h("li", {}, "the quality model flags this sentence as likely damaged")))
    if note:
        body.append(h("div", {"class": "note"}, note))
    if state == "edit" and chosen_text is not None:
        body.append(h("div", {"class": "proposal"}, h("div", {"class": "plain"}, "your edit"),
                      diff_tree(card.original, chosen_text)))
    elif chosen is not None or card.best is not None:
        opt = chosen or card.best
        w, k = words.get(opt.key, ("", ""))
        label = "chosen: " + opt.label if chosen is not None and chosen is not card.best else "proposed: " + opt.label
        made_by = h("span", {"class": "made-by"}, " · made by " + ", ".join(opt.transforms)) if opt.transforms else None
        body.append(h("div", {"class": "proposal", "data-opt": opt.key},
                      h("div", {"class": "plain"}, label, made_by, " · ", h("span", {"class": "words"}, w)),
                      diff_tree(card.original, opt.text),
                      h("div", {"class": "keeps"}, k)))
    else:
        body.append(h("div", {"class": "noprop"},
                      h("div", {"class": "plain"}, "No confident proposal: write the fix yourself, or start from one of the "
                        "candidates below (the damaged part is marked)." if card.options else
                        "No proposal: write the fix yourself (the damaged part is marked)."),
                      h("div", {"class": "orig quote"}, *marked_original(card))))
    alternatives = [o for o in card.options if o is not (chosen or card.best)]
    if alternatives:
        body.append(h("details", {"class": "alternatives"},
                      h("summary", {}, f"{len(alternatives)} other proposal{'s' if len(alternatives) != 1 else ''}"),
                      h("ol", {}, *(option_tree(card, o, *words.get(o.key, ("", "")), card.options.index(o))
                                    for o in alternatives))))
    internals = []
    for o in card.options:
        rows = [h("tr", {}, h("th", {}, "source"), h("td", {}, o.source))]
        if o.codes:
            rows.append(h("tr", {}, h("th", {}, "rules"), h("td", {}, ", ".join(o.codes))))
        if o.transforms:
            rows.append(h("tr", {}, h("th", {}, "made by"), h("td", {}, ", ".join(o.transforms))))
        rows.extend(h("tr", {}, h("th", {}, str(k)), h("td", {}, _fmt(v))) for k, v in o.components.items())
        internals.append(h("div", {"class": "internal"}, h("strong", {}, o.label),
                           h("table", {"class": "components"}, h("tbody", {}, *rows))))
    if card.findings:
        internals.append(h("div", {"class": "internal"}, h("strong", {}, "findings"), h("table", {"class": "components"}, h(
            "tbody", {}, *(h("tr", {}, h("th", {}, f["rule"]), h("td", {}, f"{f['severity']} {f['category']} at {f['start']}-{f['end']}"))
                          for f in card.findings)))))
    if internals:
        body.append(h("details", {"class": "internals"}, h("summary", {}, "details"), *internals))
    body.append(h("div", {"class": "actions"}))
    cat = card.findings[0]["category"] if card.findings else ("rewrite" if card.options else "syntax")
    return h("div", {"class": f"card sent-card cat-{cat} st-{state}" + (" noproposal" if card.best is None else ""),
                     "data-id": card.id, "id": f"card-{card.id}"}, *body)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "nan"
    return str(value)
