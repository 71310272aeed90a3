"""The change model and the shared renderer: what an editor decides on, how chosen changes
combine, and how a view tree becomes safe HTML."""

from __future__ import annotations

import random

import pytest
from review_support import SEED_003, SEEDS, rules_only_scanner

from mtcheck.changes import (
    REWRITE,
    RULE_FIX,
    Change,
    apply_changes,
    default_changes,
    plan,
    suggestions,
)
from mtcheck.document import Document
from mtcheck.render import diff_tree, document_tree, h, text_of, to_html, word_diff
from mtcheck.report.json import file_record


@pytest.fixture(scope="module")
def seed_003():
    result = next(iter(rules_only_scanner().scan([str(SEEDS / SEED_003)])))
    return result, file_record(result)


def test_rule_fixes_of_a_seed_are_suggestions_with_exact_spans(seed_003):
    result, record = seed_003
    text = result.document.text
    found = suggestions(result.document)
    assert found, "seed 003 has rule fixes"
    for s in found:
        assert s.kind == RULE_FIX
        assert text[s.start:s.end] == s.original
        assert s.proposed != s.original
    lih = [s for s in found if s.original == "LIH"]
    assert lih and all(s.proposed == "ISIL" and s.category == "entity" for s in lih)
    # Ids are stable: a rescan gives the same ids (decisions find their suggestion again).
    again = next(iter(rules_only_scanner().scan([str(SEEDS / SEED_003)])))
    assert [s.id for s in found] == [s.id for s in suggestions(again.document)]
    assert len({s.id for s in found}) == len(found)


def test_accepted_rewrites_become_suggestions_and_others_do_not():
    text = "Title\n\nThe Russian defense Ministry said it is not so. Second sentence here."
    start = text.index("The")
    end = text.index("so.") + 3
    rewrite = {
        "text": "The Russian Defense Ministry said it had not.", "source": "both", "fix_score": 0.81,
        "accepted": True, "components": {"fluency_gain": 0.3, "similarity": 0.9},
        "candidates": [
            {"text": "The Russian Defense Ministry said it had not.", "source": "both", "fix_score": 0.81},
            {"text": "Russia's Defense Ministry said no.", "source": "backtranslation", "fix_score": 0.6},
        ],
    }
    doc = Document.from_text(text)
    (sentence,) = [x for x in doc.sentences if x.start == start]
    assert sentence.end == end
    sentence.rewrite = rewrite
    (s,) = suggestions(doc)
    assert s.kind == REWRITE and (s.start, s.end) == (start, end)
    assert s.proposed == rewrite["text"] and s.score == 0.81 and s.components["similarity"] == 0.9
    assert [c["text"] for c in s.candidates] == ["Russia's Defense Ministry said no."]  # the chosen one is not repeated
    sentence.rewrite = dict(rewrite, accepted=False)
    assert suggestions(doc) == []


def test_plan_prefers_the_rewrite_and_drops_changes_on_changed_text():
    text = "The defense Ministry said LIH attacked."
    rewrite = Change(0, len(text), text, "The Defense Ministry said ISIL had attacked.", REWRITE)
    fix = Change(4, 20, "defense Ministry", "Defense Ministry", RULE_FIX)
    outside = Change(0, 3, "The", "A", RULE_FIX)
    kept, dropped = plan(text, [fix, rewrite])
    assert kept == [rewrite] and dropped == [(fix, "superseded")]
    assert apply_changes(text, kept) == rewrite.replacement
    moved = Change(5, 21, "defense Ministry", "Defense Ministry", RULE_FIX)
    kept, dropped = plan(text, [moved, fix])
    assert kept == [fix] and dropped == [(moved, "text changed")]
    kept, _ = plan("The defense Ministry", [Change(0, 3, "The", "A", RULE_FIX), Change(4, 20, "defense Ministry", "Defense Ministry", RULE_FIX)])
    assert apply_changes("The defense Ministry", kept) == "A Defense Ministry"
    assert outside in plan(text, [outside])[0]


def test_default_changes_are_safe_fixes_and_rewrites_only(seed_003):
    result, record = seed_003
    found = suggestions(result.document)
    chosen = default_changes(found)
    assert chosen and all(c.ref.safe or c.kind == REWRITE for c in chosen)
    unsafe = [s for s in found if not s.safe]
    assert all(c.ref not in unsafe for c in chosen)


def test_word_diff_rebuilds_both_sides():
    rng = random.Random(7)
    words = "the Russian defense Ministry said that LIH forces were 62 soldiers , killed near Deir ez-Zor .".split()
    for _ in range(200):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        b = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        ops = word_diff(a, b)
        assert "".join(t for op, t in ops if op != "+") == a
        assert "".join(t for op, t in ops if op != "-") == b
        assert all(op in "=-+" and t for op, t in ops)


def test_word_diff_marks_whole_words_and_groups_a_phrase():
    assert word_diff("militants of LIH attacked", "militants of ISIL attacked") == [
        ("=", "militants of "), ("-", "LIH"), ("+", "ISIL"), ("=", " attacked")]
    ops = word_diff("it said that no", "it said there were none")
    assert ops[0] == ("=", "it said ")
    assert ("-", "that no") in ops and ("+", "there were none") in ops


def test_view_tree_html_escapes_everything():
    evil = '<script>alert(1)</script> &amp; "quoted" <img src=x onerror=alert(2)>'
    findings = [{"rule": "E101", "category": "entity", "severity": "warning", "start": 0, "end": 8,
                 "message": 'bad <b>"x"</b>', "suggestion": "<i>"}]
    tree = document_tree(evil, findings)
    html = to_html(tree)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;</mark>alert(1)&lt;/script&gt;" in html and "&amp;amp;" in html
    assert 'data-msg="E101 [entity] bad &lt;b&gt;&quot;x&quot;&lt;/b&gt; → &lt;i&gt;"' in html
    assert text_of(tree) == evil  # the document is rendered verbatim
    assert text_of(diff_tree(evil, "x")).startswith(evil)
    with pytest.raises(ValueError):
        to_html(h("script", {}, "x"))
    with pytest.raises(ValueError):
        to_html(h("span", {"onclick": "x()"}, "x"))


def test_document_tree_marks_every_finding_once_for_focus(seed_003):
    result, record = seed_003
    text = result.document.text
    tree = document_tree(text, record["findings"], suggestions(result.document), record["sentences"])
    assert text_of(tree) == text
    focusable = []

    def walk(node):
        if isinstance(node, list):
            if node[0] == "mark" and node[1].get("tabindex") == "0":
                focusable.append(node)
            for c in node[2:]:
                walk(c)

    walk(tree)
    covered = {fid for node in focusable for fid in node[1]["data-f"].split()}
    assert covered == {f"f{i}" for i in range(len(record["findings"]))}
    assert all(node[1]["data-msg"] for node in focusable)


def test_a_fix_s_proposal_is_its_edits_applied_to_its_span():
    from mtcheck.findings import Applicability, Edit, Finding, Fix, Severity

    text = "The defense Ministry said saidthat no."
    doc = Document.from_text(text)

    def finding(start, end, *edits, suggestion=None):
        fix = Fix(edits=tuple(Edit(*e) for e in edits), applicability=Applicability.SAFE) if edits else None
        return Finding("S101", "style", Severity.WARNING, start, end, text[start:end], "m", suggestion=suggestion, fix=fix)

    doc.findings = [
        finding(4, 20, (4, 11, "Defense")),  # one edit: the suggestion is its replacement
        finding(26, 34, (26, 30, "said "), (30, 34, "that")),  # two edits inside one span
        finding(35, 37, suggestion="none"),  # a bare suggestion
        finding(0, 3, (0, 3, "The")),  # proposes what is there: no suggestion
    ]
    assert [(s.start, s.end, s.proposed, s.safe) for s in suggestions(doc)] == [
        (4, 11, "Defense", True), (26, 34, "said that", True), (35, 37, "none", False)]


def test_suggestions_are_built_as_the_dataclass_builds_them(seed_003):
    """``suggestions`` skips the frozen dataclass's __init__ for speed: each must equal the one
    the constructor makes from the same fields, hold every field, and stay frozen."""
    import dataclasses

    from mtcheck.changes import Suggestion, suggestion_id

    result, _ = seed_003
    found = suggestions(result.document)
    assert found
    names = [f.name for f in dataclasses.fields(Suggestion)]
    for s in found:
        assert list(vars(s)) == names
        assert s == Suggestion(**{n: getattr(s, n) for n in names})
        assert s.id == suggestion_id(s.kind, s.start, s.end, s.original, s.proposed)
    assert found[0].components is not (found[1].components if len(found) > 1 else None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].proposed = "x"


def _suggested_fix(doc: Document, unsafe: bool) -> tuple[str, list, list]:
    """What ``fix_story`` applies, the long way: every suggestion built, the default changes
    (and the unsafe fixes after them) planned."""
    found = suggestions(doc)
    changes = default_changes(found)
    if unsafe:
        changes += [Change(s.start, s.end, s.original, s.proposed, s.kind, s) for s in found
                    if s.kind == RULE_FIX and not s.safe and s.applicability == "unsafe"]
    kept, dropped = plan(doc.text, changes)
    return apply_changes(doc.text, kept), kept, dropped


def test_fix_story_applies_what_the_suggestions_plan_gives():
    # fix_story builds its changes without the suggestions: the same changes, in the same order,
    # where rules propose different text for one span (the suggestion ids break the tie), the
    # same text twice (one safe, one unsafe: merged), a bare suggestion, and a rewrite.
    from mtcheck.changes import fix_story
    from mtcheck.findings import Finding, Severity, replacement_fix

    rng = random.Random(11)
    words = ["LIH", "Medusa", "defense", "Ministry", "said", "in", "may", "2017", "Deir", "Ezzor"]
    for trial in range(60):
        text = "\n\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 9))) + "." for _ in range(6)) + "\n"
        doc = Document.from_text(text)
        findings = []
        for _ in range(rng.randint(0, 25)):
            start = rng.randrange(len(text) - 1)
            end = min(len(text) - 1, start + rng.randint(0, 8))
            replacement = rng.choice(["ISIL", "Meduza", "", "X", text[start:end].upper()])
            kind = rng.random()
            fix = replacement_fix(start, end, replacement, safe=kind < 0.6) if kind < 0.85 else None
            findings.append(Finding(rng.choice(["E101", "S102", "B101"]), rng.choice(["entity", "style", "boilerplate"]),
                                    Severity.WARNING, start, end, text[start:end], "m",
                                    suggestion=replacement if fix is None and kind < 0.95 else None, fix=fix))
        for f in [f for f in findings if f.fix is not None][:2]:  # the same change again, the other safety
            twin = replacement_fix(f.start, f.end, f.fix.edits[0].replacement, safe=not f.fix.safe)
            findings.append(Finding("S103", "style", Severity.INFO, f.start, f.end, f.text, "m2", fix=twin))
        findings.sort(key=Finding.sort_key)
        doc.findings = findings
        for s in doc.sentences[:2]:
            if rng.random() < 0.5:
                s.rewrite = {"text": s.text.upper() + "!", "accepted": True, "source": rng.choice(["rules", "both"])}
        for unsafe in (False, True):
            text_out, kept, dropped = _suggested_fix(doc, unsafe)
            story = fix_story(doc, unsafe)
            assert story.text == text_out, trial
            span = lambda c: (c.start, c.end, c.original, c.replacement, c.kind)  # noqa: E731
            assert [span(c) for c in story.applied] == [span(c) for c in kept]
            assert [(span(c), why) for c, why in story.dropped] == [(span(c), why) for c, why in dropped]
            assert [c.ref.source for c in story.applied] == [c.ref.source for c in kept]


def test_apply_changes_is_apply_edits_of_their_edits():
    """``apply_changes`` splices in what ``plan`` keeps directly and hands anything else
    (unsorted, overlapping, repeated spans, an original the text no longer holds, none at all)
    to ``apply_edits``: the same text either way."""
    from mtcheck.findings import Edit, apply_edits

    text = "abcdefghijklmnopqrstuvwxyz" * 2
    rng = random.Random(7)
    planned = 0
    for _ in range(400):
        changes = []
        for _ in range(rng.randint(0, 10)):
            start = rng.randint(0, len(text))
            end = min(len(text), start + rng.choice((0, 0, 1, 2, 5)))
            roll = rng.random()
            original = text[start:end] if roll > 0.1 else ("?" if roll > 0.05 else None)
            changes.append(Change(start, end, original, rng.choice(("X", "", "yz")), rng.choice((REWRITE, RULE_FIX))))
        if rng.random() < 0.5:
            changes, _ = plan(text, changes)  # the usual caller's: in order, no overlap, verified
            planned += 1
        want = apply_edits(text, [Edit(c.start, c.end, c.replacement) for c in changes],
                           expected={(c.start, c.end): c.original for c in changes})
        assert apply_changes(text, changes) == want, changes
    assert planned > 100


def test_plan_matches_a_plain_pairwise_reading_of_overlap():
    """``plan`` places changes greedily (rewrites first, then by start and end) and drops one
    that overlaps a change already placed: spans that intersect, or an empty one (an insertion)
    at the other's start. Checked against that rule applied pair by pair, on random changes
    with many insertions and shared edges."""
    from mtcheck.changes import REWRITE, RULE_FIX, Change, plan

    def overlaps(a, b):
        if a.start == a.end or b.start == b.end:
            return a.start == b.start or (a.start < b.end and b.start < a.end)
        return a.start < b.end and b.start < a.end

    text = "abcdefghijklmnopqrstuvwxyz" * 2
    rng = random.Random(4)
    for _ in range(300):
        changes = []
        for _ in range(rng.randint(1, 12)):
            start = rng.randint(0, len(text))
            end = min(len(text), start + rng.choice((0, 0, 1, 2, 5)))
            original = text[start:end] if rng.random() > 0.1 else "?"  # some no longer match the text
            changes.append(Change(start, end, original, "X", rng.choice((REWRITE, RULE_FIX, RULE_FIX))))
        expected_kept, expected_dropped = [], []
        for c in sorted(changes, key=lambda c: (c.kind != REWRITE, c.start, c.end)):
            if text[c.start:c.end] != c.original:
                expected_dropped.append((c, "text changed"))
            elif any(overlaps(c, k) for k in expected_kept):
                expected_dropped.append((c, "superseded"))
            else:
                expected_kept.append(c)
        kept, dropped = plan(text, changes)
        assert kept == sorted(expected_kept, key=lambda c: c.start) and dropped == expected_dropped
