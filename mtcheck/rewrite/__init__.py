"""Rewrites: a scored, cleaned English proposal for each flagged sentence.

``annotate_rewrites(docs, config, neural=True)`` gathers candidates for every flagged
sentence (back-translation through Russian, with names, numbers, dates and quoted material
protected; the offline repairs of ``mtcheck.rewrite.repairs``, from the spaCy parse) and for
every sentence holding a rule fix (the rule fixes applied), rejects candidates that lost a
protected item or changed a number, a date or a negation, scores the rest (``fixscore``) in
one pool and sets ``sentence.rewrite``::

    {"text", "source": "backtranslation|rules|both|repairs", "fix_score", "accepted",
     "transforms": [names of the repairs that made it], "components": {...},
     "candidates": [{"text", "source", "fix_score", "transforms", "components"}, ...]}

A repair that joins a fragment ("Injuring three commandos.") to the sentence before it also
holds ``"span": [start, end]`` (both sentences, offsets into the document) and
``"joins_previous": <index of that sentence>``; when it is accepted the previous sentence's own
rewrite is dropped (the join folds its rule fixes in), and a previous sentence with an accepted
rewrite of its own keeps it (the join is then rejected).

The best candidate is the rewrite; it is ``accepted`` only at or above its bar. A
back-translation (or anything the unsafe fixes went into) must clear the calibrated threshold
(``mtcheck/data/models/fix_score.json``, or ``[tool.mtcheck.rewrite] threshold``), set so that good MT is
essentially never rewritten: nothing else vouches for it. A candidate made of safe rule fixes
only is vouched for by the rules; the score must merely not object (``SAFE_RULES_BAR``: the
formula finds it more likely a good fix than a bad one). The language model is indifferent to
most name spellings, so a safe "Deir Ezzor" -> "Deir ez-Zor" scores about as well as leaving
it, and would otherwise read as "no confident fix" although ``mtcheck fix`` applies it. When the
translation models cannot be loaded, one notice goes to stderr and rule fixes are still
offered. A repair (built on the safe rule fixes) is vouched for by its transform's pattern: it
needs ``REPAIRS_BAR`` and, with the neural formula, a positive fluency gain. When one is
accepted beside the bare rule candidate, the repair is the rewrite (it holds the rule fixes
too). With ``neural=False`` nothing loads torch: no back-translation, and fixes are scored
with the lexical formula.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Sequence

from mtcheck.collector import paused
from mtcheck.config import Config, Section
from mtcheck.document import Document

# [rewrite] in the config: the acceptance bar and the fix-score artifact.
CONFIG = Section("rewrite", {"threshold": (int, float), "model": str})

MAX_LISTED_CANDIDATES = 8
SAFE_RULES_BAR = 0.5
# A repair is a small edit a transform made where its pattern of damage showed plainly in the
# parse of a flagged sentence (and that kept names, numbers, dates and negations): the pattern
# vouches for it, as the rules vouch for their fixes, so the score must merely not object, and
# with the neural formula the language model must find the sentence more fluent. The calibrated
# bar is set for back-translation, which may propose anything, and would refuse most of them.
REPAIRS_BAR = 0.5
_notified: set[str] = set()


@dataclass
class RewriteRun:
    """What one ``annotate_rewrites`` call did (for the CLI and tests)."""

    targets: int = 0
    backtranslation: bool = False
    backtranslation_off: str | None = None  # why, when it was wanted and is off
    formula: str = "neural"
    accepted: int = 0
    repairs: bool = False  # the offline repairs ran
    repairs_off: str | None = None  # why, when they were wanted and could not run
    notices: list[str] = field(default_factory=list)


def notify_once(message: str) -> None:
    """One line on stderr, once per process whatever the number of batches."""
    if message in _notified:
        return
    _notified.add(message)
    print(f"mtcheck: {message}", file=sys.stderr, flush=True)


def backtranslation_off_message(reason: str) -> str:
    return (
        f"back-translation is off: {reason}. Run `mtcheck models pull` to download the "
        "translation models (or name local ones with --translator-en-ru/--translator-ru-en); "
        "rule fixes are still offered."
    )


def notify_if_backtranslation_off(config: Config, notify: Callable[[str], None] = notify_once) -> None:
    """The notice ``annotate_rewrites`` gives when a translator is missing, for a run whose
    rewrites come from the result cache (made, as its key records, with the same translators
    missing). Looks at the disk only: nothing is loaded."""
    from mtcheck.neural.translate import DIRECTIONS, TranslatorUnavailable, locate, resolve_spec

    try:
        for direction in DIRECTIONS:
            locate(resolve_spec(direction, config).ref)
    except TranslatorUnavailable as e:
        notify(backtranslation_off_message(str(e)))


@dataclass(frozen=True)
class Settings:
    num_candidates: int
    beam_size: int
    threshold: float | None  # None: the fitted one
    model_path: str | None
    unsafe_fixes: bool

    @classmethod
    def from_config(cls, config: Config) -> "Settings":
        from mtcheck.neural.translate import DEFAULT_BEAM_SIZE, DEFAULT_NUM_CANDIDATES

        tr = config.section("translation")
        rw = config.section("rewrite")
        n = int(tr.get("num-candidates", DEFAULT_NUM_CANDIDATES))
        beam = int(tr.get("beam-size", DEFAULT_BEAM_SIZE))
        threshold = rw.get("threshold")
        if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
            raise ValueError("[rewrite] threshold must lie in [0, 1]")
        if n < 1 or beam < 1:
            raise ValueError("[translation] num-candidates and beam-size must be at least 1")
        return cls(n, max(beam, n), None if threshold is None else float(threshold), rw.get("model"), bool(config.unsafe_fixes))


def rewrite_signature(config: Config, neural: bool, repairs: bool = False) -> dict:
    """What rewrites depend on besides the scan itself (for the result signature and cache key):
    the fix-score model, the settings, which translators are in use and present, and whether
    the offline repairs run (with the parse model, which the signature names already)."""
    import hashlib

    from mtcheck.rewrite import fixscore

    settings = Settings.from_config(config)
    path = settings.model_path or str(fixscore.default_path())
    try:
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()[:12]
    except OSError:
        digest = "missing"
    sig = {"fix-score": digest, "threshold": settings.threshold, "unsafe-fixes": settings.unsafe_fixes}
    if repairs:
        from mtcheck.rewrite.repairs import signature

        sig["repairs"] = signature()
    if neural:
        from mtcheck.neural.translate import translation_status

        sig.update(num_candidates=settings.num_candidates, beam_size=settings.beam_size)
        for rec in translation_status(config):
            sig[rec["role"]] = f"{rec.get('model')} ({'ready' if rec.get('ready') else 'absent'})"
    return sig


def check_settings(config: Config) -> None:
    """Validate the rewrite settings and the fix-score model up front; raises ValueError with a
    one-line message (the CLI turns it into exit code 2)."""
    from mtcheck.rewrite import fixscore

    settings = Settings.from_config(config)
    fixscore.load_model(settings.model_path)


def annotate_rewrites(
    docs: Sequence[Document],
    config: Config | None = None,
    neural: bool = True,
    notify: Callable[[str], None] = notify_once,
    repairs: bool = True,
) -> RewriteRun:
    """Set ``sentence.rewrite`` on every flagged sentence and every sentence with a
    rule fix of ``docs`` (whose findings are already in place). ``repairs``: offer the offline
    repairs (they load the spaCy pipeline, not torch)."""
    if neural or repairs:  # models load: the collector keeps running (their garbage may be cyclic)
        return _annotate_rewrites(docs, config, neural, notify, repairs)
    with paused():  # records and targets alone: acyclic (mtcheck.collector)
        return _annotate_rewrites(docs, config, neural, notify, repairs)


def _annotate_rewrites(docs, config, neural, notify, repairs) -> RewriteRun:
    config = config or Config()
    settings = Settings.from_config(config)
    run = RewriteRun()
    if not neural and not repairs:  # the rule candidate alone: the same records, made directly
        _annotate_rule_rewrites(docs, settings, run)
    else:
        _annotate_targets(docs, config, settings, neural, notify, repairs, run)
    return run


def _annotate_targets(docs, config: Config, settings: Settings, neural: bool, notify, repairs: bool, run: RewriteRun) -> None:
    """Every candidate of every target, scored; the best one as each target's record."""
    from mtcheck.rewrite import fixscore
    from mtcheck.rewrite.candidates import build_target, rule_candidate

    targets = [build_target(doc, s, is_flagged, settings.unsafe_fixes, findings)
               for doc, s, is_flagged, findings in _rewrite_targets(docs, settings.unsafe_fixes)]
    run.targets = len(targets)
    if not targets:
        return

    for t in targets:
        c = rule_candidate(t)
        if c is not None:
            t.candidates.append(c)

    flagged_targets = [t for t in targets if t.flagged]
    if repairs and flagged_targets:
        _add_repairs(flagged_targets, targets, run, notify)
    if neural and flagged_targets:
        _add_backtranslations(flagged_targets, config, settings, run, notify)

    model = fixscore.load_model(settings.model_path)
    use_neural = neural
    if neural:
        if model.stale_quality():
            stale = (f"the fix-score model {model.path} was fitted with other sentence-quality models; "
                     "refit it with scripts/train_fix_score.py (fix scores are off scale until then)")
            run.notices.append(stale)
            notify(stale)
        try:
            _score(targets, model, True)
        except Exception as e:  # the scoring models failed to load: keep going, lexically
            use_neural = False
            reason = f"fix scoring falls back to the lexical formula: {type(e).__name__}: {e}"
            run.notices.append(reason)
            notify(reason)
    if not use_neural:
        _score(targets, model, False)
    run.formula = "neural" if use_neural else "lexical"
    formula = model.formula(use_neural)
    threshold = settings.threshold if settings.threshold is not None else formula.threshold

    for t in targets:
        _reject_conflicting_joins(t)
        record = _record(t, threshold, formula.name)
        if record is None:
            continue
        t.sentence.rewrite = record
        run.accepted += bool(record["accepted"])
        _score_rule_fix(t)
        if record["accepted"] and "joins_previous" in record:
            prev = next(s for s in t.doc.sentences if s.index == record["joins_previous"])
            if prev.rewrite is not None:
                run.accepted -= bool(prev.rewrite.get("accepted"))
                prev.rewrite = None  # folded into the join


def _rewrite_targets(docs, unsafe: bool):
    """(document, sentence, flagged, its findings) for each sentence a rewrite is proposed for:
    flagged, or holding a finding whose fix applies (boilerplate deletions are not rewrites)."""
    from mtcheck.rewrite.candidates import findings_by_sentence, fix_applies

    for doc in docs:
        flagged = doc.flagged_sentences()
        with_findings = findings_by_sentence(doc)
        sentences = doc.sentences
        # Most sentences of a long story hold no finding: only those that do, or are flagged, are
        # looked at, in text order (a sentence's index is its place in the list).
        indices = sorted(with_findings.keys() | flagged)
        if all(0 <= i < len(sentences) and sentences[i].index == i for i in indices):
            chosen = [sentences[i] for i in indices]
        else:
            chosen = [s for s in sentences if s.index in with_findings or s.index in flagged]
        for s in chosen:
            inside = with_findings.get(s.index)
            # candidates.sentence_findings, from the index already in hand
            findings = [f for f in inside if s.start <= f.start and f.end <= s.end] if inside else []
            is_flagged = s.index in flagged
            if not is_flagged:  # any(...) as a loop: no generator per sentence
                for f in findings:
                    if f.category != "boilerplate" and fix_applies(f, unsafe):
                        is_target = True
                        break
                else:
                    is_target = False
                if not is_target:
                    continue
            yield doc, s, is_flagged, findings


def _annotate_rule_rewrites(docs, settings: Settings, run: RewriteRun) -> None:
    """``_annotate_rewrites`` without back-translation and repairs (``--no-neural``): the rule
    candidate is a target's only one, scored lexically against itself. The same records, and
    the same fix scores on the findings, without a ``Target`` and a ``Candidate`` per sentence
    (44,000 of them on a story of short lines, where they were most of the stage's time)."""
    from mtcheck.rewrite import fixscore
    from mtcheck.rewrite.candidates import rule_fixed_text

    unsafe = settings.unsafe_fixes
    pending = []  # (sentence, fixed text, its words, the findings whose fixes made it)
    for _doc, s, _flagged, findings in _rewrite_targets(docs, unsafe):
        run.targets += 1
        fixed, applied = rule_fixed_text(s, findings, unsafe)
        if not applied:  # rule_candidate: no rule fix, no candidate, no record
            continue
        # normalize_space(fixed) == normalize_space(s.text), as word lists: the same test (the
        # joined words hold no space), without joining them
        words = fixed.split()
        if words == s.text.split():
            continue
        pending.append((s, fixed, words, applied))
    if not run.targets:
        return
    model = fixscore.load_model(settings.model_path)
    formula = model.formula(False)
    run.formula = "lexical"
    threshold = settings.threshold if settings.threshold is not None else formula.threshold
    safe_bar = min(SAFE_RULES_BAR, threshold)
    bars = {True: (safe_bar, round(safe_bar, 4), "safe rule fixes"), False: (threshold, round(threshold, 4), "calibrated")}
    # Texts with as many letters share one (score, components) (``unchanged_lexical_scorer``):
    # what a record holds of it is made once per such class and copied into each record,
    # by id of the shared components: (fix score, rounded components, {safe rules: (the
    # record's components, accepted)}), as _score, _record and _candidate_record make them.
    classes: dict[int, tuple] = {}
    score_of = fixscore.unchanged_lexical_scorer(model)
    for s, fixed, words, applied in pending:
        score, comps = score_of(words)
        made = classes.get(id(comps))
        if made is None:
            done = {k: round(float(v), 4) for k, v in comps.items()}
            by_bar = {}
            for safe_rules, (bar, bar_rounded, kind) in bars.items():
                components = dict(done)
                components.update(formula=formula.name, threshold=bar_rounded, bar=kind)
                by_bar[safe_rules] = (components, score >= bar)
            made = classes[id(comps)] = (round(score, 4), done, by_bar)  # comps stays alive: score_of keeps it
        fix_score, done, by_bar = made
        # _record of the one candidate: source "rules", never rejected, never vetoed
        if len(applied) == 1:  # the all(...) below for the usual one finding, without a generator
            fix = applied[0].fix
            safe_rules = fix is not None and fix.safe
        else:
            safe_rules = all(f.fix is not None and f.fix.safe for f in applied)
        components, accepted = by_bar[safe_rules]
        s.rewrite = {
            "text": fixed,
            "source": "rules",
            "fix_score": fix_score,
            "accepted": accepted,
            "transforms": [],
            "components": components.copy(),
            "candidates": [{"text": fixed, "source": "rules", "fix_score": fix_score, "transforms": [],
                            "components": done.copy()}],
        }
        run.accepted += accepted
        if len(applied) == 1 and applied[0].fix is not None:  # _score_rule_fix
            applied[0].fix.score = fix_score


def _add_repairs(flagged, targets, run: RewriteRun, notify) -> None:
    from mtcheck.neural.parse import ParseUnavailable
    from mtcheck.rewrite.candidates import repair_candidates

    fixed = {(id(t.doc), t.sentence.index): t.fixed for t in targets}
    try:
        found = repair_candidates(flagged, fixed)
    except ParseUnavailable as e:
        run.repairs_off = str(e)
        message = f"offline repairs are off: {e}"
        run.notices.append(message)
        notify(message)
        return
    run.repairs = True
    for t, cands in zip(flagged, found):
        known = {c.text for c in t.candidates}
        for c in cands:
            if c.text not in known:
                t.candidates.append(c)
                known.add(c.text)


def _reject_conflicting_joins(t) -> None:
    """A join replaces the previous sentence too: not when that one has an accepted rewrite of
    its own beyond the rule fixes (records are made in text order, so it is already set)."""
    for c in t.candidates:
        if c.joins is not None and c.rejected is None:
            rw = c.joins.rewrite
            if rw and rw.get("accepted") and rw.get("source") != "rules":
                c.rejected = "the previous sentence has its own rewrite"
                c.fix_score, c.components = 0.0, {"rejected": c.rejected}


def _add_backtranslations(targets, config, settings: Settings, run: RewriteRun, notify) -> None:
    from mtcheck.neural.translate import TranslatorUnavailable, load_translator, resolve_spec
    from mtcheck.rewrite.candidates import backtranslation_candidates

    try:
        en_ru = load_translator(resolve_spec("en-ru", config))
        ru_en = load_translator(resolve_spec("ru-en", config))
    except TranslatorUnavailable as e:
        reason = str(e)
        run.backtranslation_off = reason
        message = backtranslation_off_message(reason)
        run.notices.append(message)
        notify(message)
        return
    run.backtranslation = True
    for t, cands in zip(targets, backtranslation_candidates(targets, en_ru, ru_en, settings.num_candidates, settings.beam_size)):
        known = {c.text for c in t.candidates}
        t.candidates.extend(c for c in cands if c.text not in known)


def _score(targets, model, neural: bool) -> None:
    from mtcheck.rewrite.candidates import normalize_space
    from mtcheck.rewrite.fixscore import Pair, score_pairs, unchanged_lexical_scores

    pairs, where = [], []
    unchanged, unchanged_where = [], []  # lexical: rule candidates, their own expected text
    for t in targets:
        for c in t.candidates:
            c.fix_score, c.components = 0.0, {}
            if c.rejected:
                c.components = {"rejected": c.rejected}
                continue
            if c.joins is not None:  # a join replaces both sentences: score it against both
                pairs.append(Pair(c.joined_original, normalize_space(c.text), c.joined_expected))
            elif c.text is t.fixed and not neural:  # the rule candidate, scored in one batch
                unchanged.append(t.fixed_normalized)
                unchanged_where.append(c)
                continue
            else:
                text = t.fixed_normalized if c.text is t.fixed else normalize_space(c.text)  # the rule candidate
                pairs.append(Pair(t.original_normalized, text, t.fixed_normalized))
            where.append(c)
    if unchanged:
        # score_pairs of Pair(original, text, text), whose components repeat for texts with as
        # many letters: each distinct set is rounded once, every candidate gets its own dict.
        rounded: dict[int, dict] = {}
        for c, (score, comps) in zip(unchanged_where, unchanged_lexical_scores(unchanged, model=model)):
            c.fix_score = score
            done = rounded.get(id(comps))
            if done is None:
                done = rounded[id(comps)] = {k: round(float(v), 4) for k, v in comps.items()}
            c.components = dict(done)
    if not pairs:
        return
    for c, (score, comps) in zip(where, score_pairs(pairs, neural=neural, model=model)):
        c.fix_score = score
        c.components = {k: round(float(v), 4) for k, v in comps.items()}


def _candidate_record(c) -> dict:
    rec = {"text": c.text, "source": c.source, "fix_score": round(c.fix_score, 4), "transforms": list(c.transforms),
           "components": dict(c.components)}
    if c.translation_score is not None:
        rec["components"]["translation_logprob"] = round(c.translation_score, 4)
    return rec


def _bar(t, c, threshold: float, safe_rules: bool | None = None) -> tuple[float, str]:
    """The score candidate ``c`` must reach, and which bar that is. ``safe_rules``: whether
    every rule fix of ``t`` is safe, when the caller knows it already."""
    if safe_rules is None:
        safe_rules = _safe_rules(t)
    if c.source == "rules" and safe_rules:
        return min(SAFE_RULES_BAR, threshold), "safe rule fixes"
    if c.source == "repairs" and safe_rules:
        return min(REPAIRS_BAR, threshold), "repairs"
    return threshold, "calibrated"


def _safe_rules(t) -> bool:
    return all(f.fix is not None and f.fix.safe for f in t.rule_findings)


def _vetoed(c) -> bool:
    """A repair the language model finds no more fluent than the sentence it repairs (only the
    neural formula has a fluency gain to ask)."""
    return c.source == "repairs" and "fluency_gain" in c.components and c.components["fluency_gain"] <= 0.0


def _record(t, threshold: float, formula: str) -> dict | None:
    if not t.candidates:
        return None
    safe_rules = _safe_rules(t)

    def accepted(c) -> bool:
        return c.rejected is None and c.fix_score >= _bar(t, c, threshold, safe_rules)[0] and not _vetoed(c)

    if len(t.candidates) == 1:  # the rule candidate alone, as for most targets of a long story
        ranked = list(t.candidates)
        best = ranked[0]
        best_accepted = accepted(best)
    else:
        ranked = sorted(t.candidates, key=lambda c: (c.rejected is None, c.fix_score), reverse=True)
        best = next((c for c in ranked if accepted(c)), ranked[0])
        if best.source == "rules":
            # A repair starts from the rule-fixed text: accepted too, it does all the rule fixes do
            # and more (the rule candidate, equal to the expected text, always scores higher).
            best = next((c for c in ranked if c.source == "repairs" and accepted(c)), best)
        best_accepted = accepted(best)
    bar, kind = _bar(t, best, threshold, safe_rules)
    components = dict(best.components)
    components.update(formula=formula, threshold=round(bar, 4), bar=kind)
    if best.translation_score is not None:
        components["translation_logprob"] = round(best.translation_score, 4)
    record = {
        "text": best.text,
        "source": best.source,
        "fix_score": round(best.fix_score, 4),
        "accepted": bool(best_accepted),
        "transforms": list(best.transforms),
        "components": components,
        "candidates": [_candidate_record(c) for c in ranked[:MAX_LISTED_CANDIDATES]],
    }
    if best.joins is not None:
        record["span"] = [best.joins.start, t.sentence.end]
        record["joins_previous"] = best.joins.index
    return record


def _score_rule_fix(t) -> None:
    """A sentence whose rule candidate is one finding's fix: that fix gets the candidate's score."""
    if len(t.rule_findings) != 1:
        return
    for c in t.candidates:
        if c.source == "rules" and not c.rejected and t.rule_findings[0].fix is not None:
            t.rule_findings[0].fix.score = round(c.fix_score, 4)


__all__ = ["annotate_rewrites", "check_settings", "rewrite_signature", "RewriteRun", "Settings"]
