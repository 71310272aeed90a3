"""``unified_diff`` of a long story read off the changes applied to it (``changes=``): the
same patch as the patience diff of every line, and one that turns the original into the
fixed text, on random stories of unique lines and of repeated ones (with line breaks added
and removed, CRLF lines, no final line break)."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from mtcheck.report.diff import DIFFLIB_MAX_LINES, _change_opcodes, lines, unified_diff

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")


@dataclass
class Edit:
    start: int
    end: int
    replacement: str


def apply_patch(old: str, patch: str) -> str:
    """The text a unified diff of one file makes of ``old``: every hunk applied at the line its
    header names, its context and removed lines checked against ``old`` and its line counts
    against the header (AssertionError where the patch does not fit)."""
    a = lines(old)
    body = lines(patch)  # (split on "\n" alone, as git does: a "\r" stays in its line)
    assert body[0].startswith("diff --git a/") and body[1].startswith("--- a/") and body[2].startswith("+++ b/")
    out: list[str] = []
    at = 0  # lines of a copied to out so far
    k = 3
    while k < len(body):
        m = HUNK.fullmatch(body[k])
        assert m, body[k]
        old_start, old_len = int(m[1]), int(m[2] or 1)
        new_len = int(m[4] or 1)
        first = old_start - 1 if old_len else old_start  # an empty range names the line before
        assert first >= at, "hunks out of order or overlapping"
        out += a[at:first]
        at = first
        taken = added = 0
        k += 1
        while k < len(body) and not body[k].startswith("@@"):
            mark, text = body[k][0], body[k][1:]
            k += 1
            if k < len(body) and body[k] == "\\ No newline at end of file\n":
                assert text.endswith("\n")
                text = text[:-1]
                k += 1
            if mark in " -":
                assert a[at] == text, f"line {at + 1}: {a[at]!r} in the file, {text!r} in the patch"
                at += 1
                taken += 1
            if mark in " +":
                out.append(text)
                added += 1
            assert mark in " -+", body[k - 1]
        assert (taken, added) == (old_len, new_len), "hunk header counts"
    out += a[at:]
    return "".join(out)


def applied(text: str, edits: list[Edit]) -> str:
    out, pos = [], 0
    for e in edits:
        out += (text[pos:e.start], e.replacement)
        pos = e.end
    return "".join(out) + text[pos:]


def story(rng: random.Random, kind: str, eol: str = "\n") -> str:
    n = rng.randrange(DIFFLIB_MAX_LINES + 1, DIFFLIB_MAX_LINES + 3000)
    words = ["may", "May", "said", "that", "the", "minister", "on", "Monday"]
    # unique: each line named at both ends (a piece of a line from either end is still unique)
    body = [f"L{i} {' '.join(rng.choices(words, k=rng.randrange(0, 6)))} R{i}" for i in range(n)]
    if kind == "repeated":  # few different lines, each many times
        body = [" ".join(rng.choices(words[:4], k=rng.randrange(0, 3))) for _ in range(n)]
    elif kind == "mixed":  # as a news story: unique lines between blank ones and a few repeated
        for i in range(n):
            roll = rng.random()
            body[i] = "" if roll < 0.35 else rng.choice(["Leave a comment", "TASS", "May", "may"]) if roll < 0.45 else body[i]
    text = eol.join(body) + eol
    return text[:-len(eol)] if rng.random() < 0.3 else text  # no final line break


def edits(rng: random.Random, text: str, fresh_share: float, count: int) -> list[Edit]:
    """Random non-overlapping edits: words replaced, text inserted, line breaks added and
    removed, whole lines deleted, at line ends and at the very end of the text."""
    breaks = [m.start() for m in re.finditer("\n", text)]
    tokens = iter(range(10**6))

    def fresh(with_break: bool = False) -> str:  # new text (of its own, or lines and words met elsewhere)
        t = next(tokens)
        unique = rng.random() < fresh_share
        if with_break:
            return f"<{t}a>\n<{t}b>" if unique else rng.choice(["\n", "said\n", "\nthat", "May\nmay"])
        return f"<{t}>" if unique else rng.choice(["May", "said that", "", "may"])

    spans = []
    for _ in range(count):
        kind = rng.randrange(9)
        p = rng.randrange(len(text) + 1)
        if kind == 0:  # a word or so replaced within a line
            spans.append((p, min(len(text), p + rng.randrange(0, 6)), fresh()))
        elif kind == 1:  # text inserted, a line break in it
            spans.append((p, p, fresh(True)))
        elif kind == 2 and breaks:  # a line break replaced: two lines joined
            b = rng.choice(breaks)
            spans.append((max(0, b - rng.randrange(3)), b + 1 + rng.randrange(3), fresh()))
        elif kind == 3 and breaks:  # up to the end of a line (its break kept, or taken)
            b = rng.choice(breaks)
            spans.append((max(0, b - rng.randrange(1, 5)), b + rng.randrange(2), fresh(rng.random() < 0.3)))
        elif kind == 4 and len(breaks) > 1:  # whole lines deleted (or replaced by lines)
            i = rng.randrange(len(breaks) - 1)
            j = min(len(breaks) - 1, i + rng.randrange(1, 4))
            spans.append((breaks[i] + 1, breaks[j] + 1, "" if rng.random() < 0.5 else fresh(True) + "\n"))
        elif kind == 5:  # at the very end: text added, the final break removed or added
            end = len(text)
            spans.append(rng.choice([(end, end, fresh()), (end, end, "\n"), (max(0, end - 1), end, fresh()),
                                     (max(0, end - 3), end, fresh(True))]))
        elif kind == 6:  # at the very start
            spans.append((0, rng.randrange(3), fresh(rng.random() < 0.5)))
        elif kind == 7 and breaks:  # just after a line break: a line begun anew
            b = rng.choice(breaks) + 1
            spans.append((b, b + rng.randrange(2), fresh(rng.random() < 0.5)))
        else:  # a change that changes nothing
            spans.append((p, p, ""))
    spans = sorted((s, min(e, len(text)), r) for s, e, r in spans)
    kept: list[Edit] = []
    done = -1
    for s, e, r in spans:
        # not overlapping, and one insertion at a place at most (one may follow a change there)
        if s >= done and not (s == e and kept and kept[-1].start == kept[-1].end == s):
            kept.append(Edit(s, e, r))
            done = e
    return kept


def read_off(old: str, new: str, changes: list[Edit]) -> bool:
    """Whether the opcodes come from the changes (not the patience diff of every line, which
    ``unified_diff`` falls back on where the changes would align a line otherwise)."""
    return _change_opcodes(old, new, lines(old), changes) is not None


@pytest.mark.parametrize("kind", ["unique", "repeated", "mixed"])
@pytest.mark.parametrize("seed", range(25))
def test_the_patch_from_the_changes_is_the_patience_patch(seed, kind):
    rng = random.Random(f"{kind} {seed}")
    old = story(rng, kind, eol="\r\n" if seed % 5 == 0 else "\n")
    diffs = read = 0
    for count in (1, 5, 60, 400, 1500):
        changes = edits(rng, old, {"unique": 1.0, "repeated": 0.0, "mixed": 0.5}[kind], count=count)
        new = applied(old, changes)
        patch = unified_diff("story.txt", old, new, changes=changes)
        assert (patch == "") == (new == old)
        if not patch:
            continue
        assert apply_patch(old, patch) == new
        assert patch == unified_diff("story.txt", old, new)
        diffs += 1
        read += read_off(old, new, changes)
    # the opcodes read off the changes were the ones compared: every time with unique lines
    assert read == diffs if kind == "unique" else read >= diffs - 2


def test_changes_into_another_text_are_not_used():
    """Offsets into another text (a wire story's own text, not its file's) give the patience
    diff, not a wrong patch."""
    old = "".join(f"line {i}\n" for i in range(DIFFLIB_MAX_LINES + 10))
    new = old.replace("line 5\n", "line five\n")
    wrong = [Edit(0, 4, "LINE")]  # would make another text
    assert unified_diff("s", old, new, changes=wrong) == unified_diff("s", old, new)
    overlapping = [Edit(0, 8, "x"), Edit(4, 6, "y")]
    assert unified_diff("s", old, new, changes=overlapping) == unified_diff("s", old, new)
    at = old.index("line 5\n") + 5
    assert unified_diff("s", old, new, changes=[Edit(at, at + 1, "fi\nv")]) == unified_diff("s", old, new)
    nine = old.index("line 9\n") + 5
    two = old.replace("line 2\n", "line X\n").replace("line 9\n", "line nine\n")  # line 2 by no edit
    assert unified_diff("s", old, two, changes=[Edit(nine, nine + 1, "nine")]) == unified_diff("s", old, two)
    last = old.replace("line 9\n", "line nine\n")[:-2] + "X\n"  # the last line by no edit
    assert unified_diff("s", old, last, changes=[Edit(nine, nine + 1, "nine")]) == unified_diff("s", old, last)
    right = [Edit(at, at + 1, "five")]
    assert unified_diff("s", old, new, changes=right) == unified_diff("s", old, new)


def test_edits_that_do_not_make_the_new_text_are_refused():
    """The opcodes are read off the edits only when they make ``new`` from ``old`` exactly:
    a difference elsewhere in an edited line, between two edits, or past the last one, or
    edits out of order, give None (the caller then diffs every line)."""
    old = "".join(f"line {i}\n" for i in range(DIFFLIB_MAX_LINES + 10))
    five, nine = old.index("line 5\n") + 5, old.index("line 9\n") + 5
    both = [Edit(five, five + 1, "five"), Edit(nine, nine + 1, "nine")]
    new = applied(old, both)
    assert _change_opcodes(old, new, lines(old), both) is not None
    for other in (new.replace("line five", "lime five"),  # in the edited line, by no edit
                  new.replace("line 7\n", "line seven\n"),  # between the edits
                  new.replace("line 20\n", "line 2O\n"),  # after the last one
                  new.replace("line 1\n", "line one\n"),  # before the first one
                  new + "more\n"):
        assert _change_opcodes(old, other, lines(old), both) is None
        assert unified_diff("s", old, other, changes=both) == unified_diff("s", old, other)
    assert _change_opcodes(old, new, lines(old), both[::-1]) is None


@pytest.mark.parametrize("seed", range(40))
def test_a_line_deleted_or_inserted_near_the_end_slides_as_in_the_patience_diff(seed):
    """The last edit deletes or inserts lines among repeated ones (paragraphs parted by blank
    lines, a line deleted with the break before or after it): the patience diff's common
    tail slides the change up, and the patch read off the edits slides it the same way."""
    rng = random.Random(f"slide {seed}")
    paragraphs = [f"paragraph {i} {rng.random():.6f}\n" for i in range(DIFFLIB_MAX_LINES + 50)]
    filler = rng.choice(["\n", "--\n", "\n\n"])
    old = filler.join(paragraphs)
    changes = []
    for k in sorted(rng.sample(range(len(paragraphs) - 8), rng.randrange(0, 4))):  # others before
        at = old.index(paragraphs[k]) + len("paragraph")
        changes.append(Edit(at, at + 1, "P"))
    for k in sorted(rng.sample(range(len(paragraphs) - 6, len(paragraphs)), rng.randrange(1, 3))):
        start = old.index(paragraphs[k])
        end = start + len(paragraphs[k])
        how = rng.randrange(4)
        if how == 0:  # the line and the filler after it
            changes.append(Edit(start, min(end + len(filler), len(old)), ""))
        elif how == 1 and start >= len(filler):  # the filler before it and the line
            changes.append(Edit(start - len(filler), end, ""))
        elif how == 2:  # a filler and a new line inserted before it
            changes.append(Edit(start, start, f"inserted {seed}\n" + filler))
        else:  # the line's text, keeping its break
            changes.append(Edit(start, end - 1, ""))
    changes.sort(key=lambda c: c.start)
    if any(b.start < a.end for a, b in zip(changes, changes[1:])):
        return
    new = applied(old, changes)
    patch = unified_diff("story.txt", old, new, changes=changes)
    assert patch == unified_diff("story.txt", old, new)
    assert apply_patch(old, patch) == new


def test_a_short_story_keeps_difflib():
    old = "a\nb\nc\n"
    new = "a\nB\nc\n"
    assert unified_diff("s", old, new, changes=[Edit(2, 3, "B")]) == unified_diff("s", old, new)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_patch_from_the_changes_applies_with_git(tmp_path):
    rng = random.Random(7)
    old = story(rng, "mixed")
    changes = edits(rng, old, 0.5, count=300)
    new = applied(old, changes)
    (tmp_path / "story.txt").write_bytes(old.encode())
    patch = unified_diff("story.txt", old, new, changes=changes)
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], input=patch.encode(), cwd=tmp_path,
                          capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "story.txt").read_bytes() == new.encode()
