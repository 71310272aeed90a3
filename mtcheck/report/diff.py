"""``scan --diff``: unified diffs of what mtcheck would change, for ``git apply``.

The changes are the default ones (accepted rewrites and safe rule fixes, see
``mtcheck.review.suggestions``); ``mtcheck review`` exports the editor's own choices with
the same ``unified_diff``. The patch is plain text; on a terminal it is coloured, with the
changed words of each replaced line emphasised (colour is never written to a file or pipe,
so the output stays applicable).
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
from collections import Counter
from itertools import chain, compress
from operator import add, attrgetter, sub
from typing import Iterable, Iterator, Sequence

from mtcheck.collector import pausing
from mtcheck.engine import FileResult
from mtcheck.render import word_diff
from mtcheck.report import style as ansi_style

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")  # git splits on \n only (a \r stays in the line)
NO_NEWLINE = "\\ No newline at end of file\n"


def lines(text: str) -> list[str]:
    return _LINE.findall(text)


def patch_path(path: str, root: str | None = None) -> str:
    """The path a patch names, with '/': relative to ``root`` (default: the working
    directory) when the file lies under it, else its absolute path without the leading '/'
    (apply such a patch from '/')."""
    base = os.path.abspath(root or os.getcwd())
    full = os.path.abspath(path)
    if full == base or full.startswith(base.rstrip(os.sep) + os.sep):
        p = os.path.relpath(full, base)
    else:
        p = full.lstrip(os.sep)
    return p.replace(os.sep, "/")


# Past this many lines on either side, difflib (worst case quadratic in the lines of the
# longest unmatched stretch: minutes on a 5 MB story) gives way to a patience diff.
DIFFLIB_MAX_LINES = 2000
# A stretch between two anchors this small (its lines multiplied) is left to difflib.
_DIFFLIB_MAX_PRODUCT = 250_000
_MAX_DEPTH = 30  # nested stretches anchored within stretches: deeper ones are one replacement
_SMALL_STRETCH = 24  # lines on both sides together, below which _anchors counts with list.count


@pausing
def unified_diff(path: str, old: str, new: str, context: int = 3, changes: Sequence | None = None) -> str:
    """A git-style unified diff of one file (``diff --git a/P b/P``); '' when unchanged.

    ``changes``: the edits that made ``new`` from ``old`` (``.start``/``.end`` offsets into
    ``old``, ``.replacement``; in text order, non-overlapping: ``changes.FixedStory.applied``).
    Past DIFFLIB_MAX_LINES the patience diff's opcodes are then worked out from them and the
    lines they touch, instead of from every line (the same patch: ``_change_opcodes``); edits
    that do not make ``new`` from ``old`` (offsets into another text) are not used."""
    if old == new:
        return ""
    if changes is not None and max(_line_count(old), _line_count(new)) > DIFFLIB_MAX_LINES:
        a = lines(old)
        found = _change_opcodes(old, new, a, changes)
        if found is not None:
            return _patch(path, old, new, _hunks(a, _NewSide(found[1]), found[0], context))
    a, b = lines(old), lines(new)
    if max(len(a), len(b)) <= DIFFLIB_MAX_LINES:
        body = list(difflib.unified_diff(a, b, n=context, lineterm="\n"))[2:]  # without difflib's ---/+++ header
    else:
        body = _hunks(a, b, _patience_opcodes(a, b), context)
    return _patch(path, old, new, body)


def _patch(path: str, old: str, new: str, body: list[str]) -> str:
    """The header and the hunks' lines, with git's mark after a last line that lacks its break."""
    out = [f"diff --git a/{path} b/{path}\n", f"--- a/{path}\n", f"+++ b/{path}\n"]
    # Only the last line of either side can lack its line break, and it is in the hunks at most
    # once per side (each line of the body is a prefixed copy of one line of old or new).
    if old[-1:] not in ("\n", "") or new[-1:] not in ("\n", ""):
        body = [line if line[-1:] == "\n" else line + "\n" + NO_NEWLINE for line in body]
    out += body
    return "".join(out)


def _line_count(text: str) -> int:
    return text.count("\n") + (text[-1:] not in ("\n", ""))


def _change_opcodes(old: str, new: str, a: list[str], changes: Sequence) -> tuple[list[tuple], dict] | None:
    """The patience diff's opcodes of ``a`` (the lines of ``old``) and the lines of ``new``,
    worked out from the edits that made one from the other instead of from every line; with
    the new side's lines of each changed stretch by where it starts (``_NewSide``). None when
    the edits are out of order or do not make ``new`` from ``old``, or where the patience
    diff would align a line with one elsewhere (see below): the caller aligns every line then.

    The lines no edit touches are the same on both sides. An edit touches the lines from the
    one holding its start to the one holding its end (the line after its last break when it
    ends on one); edits touching the same lines make one region, which begins after and ends
    with a line break no edit touches (or at an end of the text): so what lies between two
    regions is the same on both sides, as checked while the regions' new text is built.

    The patience diff keeps the common head and tail, then aligns the lines found once on
    each side of what is left (its anchors) and solves each stretch between two anchors by
    itself. The anchors are counted here from the lines of ``old`` and the regions' lines:
    an untouched line is one where it is once in the middle of ``old`` and in no region; a
    region's line where it is once in its old and once in its new lines. An anchor that would
    pair lines otherwise (a line moved, or in a region and untouched elsewhere), or a head or
    tail that runs past a region's lines into the untouched ones, gives None. The regions
    that no untouched anchor parts make clusters (most often one region alone); each
    cluster's stretch is then solved as the patience diff solves it (a cluster of one line for
    one, or one that ``_plain`` finds, directly), and the rest is equal."""
    size, n = len(old), len(a)
    find, rfind, count, old_startswith = old.find, old.rfind, old.count, old.startswith
    # the regions that change lines: (i1, i2, j1, j2, new lines) each, one append per region
    # (then one list per field, below)
    found: list[tuple[int, int, int, int, list[str]]] = []
    found_append = found.append
    line = pos = 0  # the line of ``old`` that starts at offset ``pos`` (after the last region)
    shift = 0  # lines of ``new`` less lines of ``old`` before ``pos``
    done = 0  # the end of the last edit walked
    # Whether the edits make ``new`` from ``old``: checked at once in C (the walk below checks
    # that they are in order; out of order, what is joined here does not matter).
    starts = list(map(attrgetter("start"), changes))
    ends = list(map(attrgetter("end"), changes))
    replacements = list(map(attrgetter("replacement"), changes))
    kept_text = map(old.__getitem__, map(slice, chain((0,), ends), chain(starts, (size,))))
    if "".join(chain.from_iterable(zip(kept_text, chain(replacements, ("",))))) != new:
        return None
    k, count_changes = 0, len(changes)
    unended = old[-1:] != "\n"  # the last line lacks its break
    while k < count_changes:
        s, e = starts[k], ends[k]
        if s < done or e < s or e > size:
            return None
        ls = rfind("\n", 0, s) + 1  # the region: from the start of the line holding s ...
        done = e
        le = find("\n", e) + 1 or size  # ... to the end of the line holding e
        k += 1
        if k < count_changes and (starts[k] < le or le == size):  # an edit touching these lines too
            pieces = [old[ls:s], replacements[k - 1]]
            while k < count_changes and (starts[k] < le or le == size):
                s, e = starts[k], ends[k]
                if s < done or e < s or e > size:
                    return None
                pieces += (old[done:s], replacements[k])
                done = e
                le = find("\n", e) + 1 or size
                k += 1
            pieces.append(old[done:le])
            now = "".join(pieces)
        else:
            now = old[ls:s] + replacements[k - 1] + old[e:le]
        i1 = line + count("\n", pos, ls)
        i2 = i1 + count("\n", ls, le) + (le == size and ls < le and unended)
        if len(now) != le - ls or not old_startswith(now, ls):  # (else the edits changed nothing here)
            b_lines = [now] if now[-1:] == "\n" and now.count("\n") == 1 else lines(now)
            found_append((i1, i2, i1 + shift, i1 + shift + len(b_lines), b_lines))
            shift += len(b_lines) - (i2 - i1)
        line, pos = i2, le
    if not found:
        return None  # (old == new: not asked)
    r_i1, r_i2, r_j1, r_j2, r_new = map(list, zip(*found))
    m = n + shift
    regions = len(r_i1)

    def new_lines(j1: int, j2: int) -> list[str]:
        """The lines of ``new`` from j1 to j2: regions' lines, and between them those of ``a``."""
        out: list[str] = []
        r = bisect.bisect_right(r_j1, j1) - 1
        j = j1
        while j < j2:
            if r >= 0 and j < r_j2[r]:
                stop = min(j2, r_j2[r])
                out += r_new[r][j - r_j1[r]:stop - r_j1[r]]
            else:
                moved = r_j2[r] - r_i2[r] if r >= 0 else 0
                stop = min(j2, r_j1[r + 1]) if r + 1 < regions else j2
                out += a[j - moved:stop - moved]
                r += 1
            j = stop
        return out

    # The common head: to the first line the first region changes (where one side's lines run
    # out first, the next lines differ, or the head would go on into the untouched lines).
    old_lines, now_lines = a[r_i1[0]:r_i2[0]], r_new[0]
    x = 0
    while x < len(old_lines) and x < len(now_lines) and old_lines[x] == now_lines[x]:
        x += 1
    head = r_i1[0] + x
    if (x == len(old_lines) or x == len(now_lines)) and head < n and head < m and a[head] == new_lines(head, head + 1)[0]:
        return None
    # The common tail, as far back as the head allows.
    after = n - r_i2[-1]  # the untouched lines after the last region
    tail = min(after, n - head, m - head)
    slid = False  # the tail goes on past the last region's start on one side
    if tail == after:
        old_lines, now_lines = a[r_i1[-1]:r_i2[-1]], r_new[-1]
        x = 0
        while (x < len(old_lines) and x < len(now_lines) and n - tail > head and m - tail > head
               and old_lines[-1 - x] == now_lines[-1 - x]):
            x += 1
            tail += 1
        if ((x == len(old_lines) or x == len(now_lines)) and n - tail > head and m - tail > head
                and a[n - tail - 1] == new_lines(m - tail - 1, m - tail)[0]):
            # One side's lines of the region ran out and the tail goes on (a line deleted or
            # inserted between equal ones slides up): followed while the other side stays in
            # the region's lines, and past the region before on neither side; the last
            # cluster's stretch then starts early enough to hold the tail's new end (below).
            while n - tail > head and m - tail > head and a[n - tail - 1] == new_lines(m - tail - 1, m - tail)[0]:
                tail += 1
            low = r_i2[-2] if regions > 1 else 0
            if not (n - tail > r_i1[-1] or m - tail > r_j1[-1]) or min(n - tail, m - tail - (r_j1[-1] - r_i1[-1])) < low:
                return None
            slid = True
    end_a, end_b = n - tail, m - tail

    # The anchors among the regions' lines (and lines of theirs untouched elsewhere: refused).
    middle = Counter(a[head:end_a])
    in_old = Counter(chain.from_iterable(map(a.__getitem__, map(slice, r_i1, r_i2))))
    in_new = Counter(chain.from_iterable(r_new))
    inner: dict[int, list[tuple[int, int]]] = {}  # the regions' own anchors, by region
    # (from the lines on both sides, found in C: most regions' new lines are new; the order of
    # ``kept`` does not matter, each region's pairs being sorted below)
    kept = [text for text in in_new.keys() & in_old.keys() if in_new[text] == in_old[text] and middle.get(text) == 1]
    where = {text: r for r in range(regions) for text in r_new[r]} if kept else {}
    for text in kept:  # once on each side of the middle (most often a line a region keeps)
        if in_new[text] != 1:
            return None
        r = where[text]
        i = r_i1[r] + a[r_i1[r]:r_i2[r]].index(text) if text in a[r_i1[r]:r_i2[r]] else -1
        j = r_j1[r] + r_new[r].index(text)
        if not (head <= i < end_a and head <= j < end_b):
            return None  # paired with a line outside its region, or in the head or tail
        inner.setdefault(r, []).append((i, j))
    for pairs in inner.values():
        pairs.sort()
        if [j for _, j in pairs] != sorted(j for _, j in pairs):
            return None

    middle_count = middle.get
    ops: list[tuple] = []
    plus: dict[int, list[str]] = {}  # the new lines of each changed opcode, by its j1
    at = [0, 0]  # where the opcodes so far end, in a and in new

    def change(tag: str, i1: int, i2: int, j1: int, j2: int, new_side: list[str]) -> None:
        if i1 > at[0]:  # the lines since the last change are equal
            ops.append(("equal", at[0], i1, at[1], j1))
        elif ops and ops[-1][0] != "equal":  # (a change right after another: one, as difflib gives it)
            _, i1, _, j1, _ = ops.pop()
            new_side = plus.pop(j1) + new_side
            tag = "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"
        ops.append((tag, i1, i2, j1, j2))
        plus[j1] = new_side
        at[:] = i2, j2

    def solve(i1: int, i2: int, j1: int, j2: int, depth: int) -> None:
        """A stretch between anchors, as the patience diff solves it."""
        side_a, side_b = a[i1:i2], new_lines(j1, j2)
        lead = 0
        while lead < len(side_a) and lead < len(side_b) and side_a[lead] == side_b[lead]:
            lead += 1
        trail = 0
        while (trail < len(side_a) - lead and trail < len(side_b) - lead
               and side_a[-1 - trail] == side_b[-1 - trail]):
            trail += 1
        x1, x2, y1, y2 = i1 + lead, i2 - trail, j1 + lead, j2 - trail
        if x2 - x1 <= 1 and y2 - y1 <= 1:  # nothing to align
            if x1 < x2 or y1 < y2:
                change("replace" if x1 < x2 and y1 < y2 else "delete" if x1 < x2 else "insert",
                       x1, x2, y1, y2, side_b[lead:len(side_b) - trail])
            return
        for tag, x1, x2, y1, y2 in _patience_opcodes(side_a, side_b, depth):
            if tag != "equal":
                change(tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2, side_b[y1:y2])

    # The regions in clusters that no untouched anchor parts: each cluster's lines, from the
    # last anchor before it to the first after it, one stretch (parted at its regions' own
    # anchors). A cluster of one region of one line for another is that line replaced,
    # whatever equal lines lie around it.
    r = 0
    while r < regions:
        q = r
        closing = -1  # the first anchor after the cluster
        while True:
            g, stop = r_i2[q], (r_i1[q + 1] if q + 1 < regions else end_a)
            while g < stop:  # (``anchor`` written out: most regions come here)
                text = a[g]
                if middle_count(text) == 1 and text not in in_old and text not in in_new:
                    break
                g += 1
            if g < stop:
                closing = g
                break
            if q + 1 == regions:
                break
            q += 1
        if q == r and r_i2[r] - r_i1[r] == 1 and r_j2[r] - r_j1[r] == 1 and not (slid and q == regions - 1):
            i1, j1 = r_i1[r], r_j1[r]
            if i1 > at[0]:  # (``change`` written out: most regions come here)
                ops.append(("equal", at[0], i1, at[1], j1))
                ops.append(("replace", i1, i1 + 1, j1, j1 + 1))
                plus[j1] = r_new[r]
                at[0], at[1] = i1 + 1, j1 + 1
            else:
                change("replace", i1, i1 + 1, j1, j1 + 1, r_new[r])
        elif _plain(a, r_i1, r_i2, r_new, r, q) and not (slid and q == regions - 1):  # (so no anchors of its own)
            for x in range(r, q + 1):
                i1, i2, j1, j2 = r_i1[x], r_i2[x], r_j1[x], r_j2[x]
                change("replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert", i1, i2, j1, j2, r_new[x])
        else:
            # The stretch from the cluster's first line (its equal lines since the anchor before
            # would go to the common head of the stretch, whatever they are) to the anchor after.
            si = max(r_i1[r], head)
            if slid and q == regions - 1:  # (the stretch's lines before the tail on both sides)
                si = min(si, end_a, end_b - (r_j1[r] - r_i1[r]))
                if si < max(head, at[0], r_i2[r - 1] if r else 0):
                    return None
            sj = si + r_j1[r] - r_i1[r]
            if closing >= 0:
                ei, ej = closing, closing + r_j2[q] - r_i2[q]
            else:
                ei, ej = end_a, end_b
            cuts = [pair for x in range(r, q + 1) for pair in inner.get(x, ())]
            # the top level solves each stretch between anchors one level down; with no anchors
            # at all the middle is solved at the top level
            depth = 0 if (r == 0 and closing < 0 and not inner) else 1
            for i, j in cuts:
                solve(si, i, sj, j, depth)
                si, sj = i + 1, j + 1
            solve(si, ei, sj, ej, depth)
        r = q + 1
    if at[0] < n:
        ops.append(("equal", at[0], n, at[1], m))
    return ops, plus


def _plain(a: list[str], r_i1: list[int], r_i2: list[int], r_new: list[list[str]], r: int, q: int) -> bool:
    """Whether the patience diff replaces each of the regions r to q (a cluster) as a whole:
    when none of their old lines is among their new lines or the untouched lines between them,
    none of their new lines among those untouched lines, and those are each there once. Then
    the only equal lines of the stretch are the untouched ones, with themselves: once on each
    side of what its common head and tail (the untouched lines before and after the cluster)
    leave, they are its anchors, and each region (no line of it equal to one on the other
    side) a change between two of them."""
    old = set(chain.from_iterable(map(a.__getitem__, map(slice, r_i1[r:q + 1], r_i2[r:q + 1]))))
    new = set(chain.from_iterable(r_new[r:q + 1]))
    between = list(chain.from_iterable(map(a.__getitem__, map(slice, r_i2[r:q], r_i1[r + 1:q + 1]))))
    unique = set(between)
    return len(unique) == len(between) and old.isdisjoint(new) and old.isdisjoint(unique) and new.isdisjoint(unique)


class _NewSide:
    """The new side's lines as ``_hunks`` reads them from ``_change_opcodes``: only the lines of
    a changed stretch, ``side[j1:j2]`` for an opcode's j1 and j2."""

    def __init__(self, by_start: dict[int, list[str]]):
        self.by_start = by_start

    def __getitem__(self, span: slice) -> list[str]:
        return self.by_start[span.start]


def _patience_opcodes(a: list[str], b: list[str], depth: int = 0) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes in time O(n log n): the common head and tail, then the lines that
    occur once on each side as anchors (the longest run of them in the same order on both
    sides), and between anchors the same again; a stretch without anchors goes to difflib
    when it is small and is one replacement otherwise (still a correct patch).

    The opcodes are a function of the lines aligned (the equal pairs) alone: neighbouring
    equal or changed stretches are merged at the end, so how finely they are first written
    down does not matter (a gap of one line between two anchors is written without a call)."""
    ops: list[tuple[str, int, int, int, int]] = []
    append = ops.append

    def other(i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        tag = "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"
        append((tag, i1, i2, j1, j2))

    def solve(i1: int, i2: int, j1: int, j2: int, depth: int = 0) -> None:
        head = 0
        while i1 + head < i2 and j1 + head < j2 and a[i1 + head] == b[j1 + head]:
            head += 1
        tail = 0
        while i2 - tail > i1 + head and j2 - tail > j1 + head and a[i2 - tail - 1] == b[j2 - tail - 1]:
            tail += 1
        if head:
            append(("equal", i1, i1 + head, j1, j1 + head))
        i1, j1, i2, j2 = i1 + head, j1 + head, i2 - tail, j2 - tail
        if i2 - i1 <= 1 and j2 - j1 <= 1:  # one line for another (or none): nothing to align
            other(i1, i2, j1, j2)
        else:
            ais, bjs = _anchors(a, b, i1, i2, j1, j2) if depth < _MAX_DEPTH else ((), ())
            if not ais:
                if (i2 - i1) * (j2 - j1) <= _DIFFLIB_MAX_PRODUCT:
                    matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2])
                    for tag, x1, x2, y1, y2 in matcher.get_opcodes():
                        if tag == "equal":
                            append(("equal", i1 + x1, i1 + x2, j1 + y1, j1 + y2))
                        else:
                            other(i1 + x1, i1 + x2, j1 + y1, j1 + y2)
                else:
                    other(i1, i2, j1, j2)
            else:
                # The anchors in runs of consecutive lines on both sides (one equal stretch each;
                # where a run ends is found in C: most anchors of a long story continue one), and
                # between two runs (pi, pj: just after the last one) one line each side (aligned
                # when equal, else one replaced: what solve gives such a gap), one line on one
                # side, or a stretch to solve.
                n = len(ais)
                # an anchor starts a run unless both of its lines follow the previous anchor's
                starts = list(compress(range(1, n), map((2).__ne__, map(add, map(sub, ais[1:], ais), map(sub, bjs[1:], bjs)))))
                pi, pj = i1, j1
                for k, end in zip([0, *starts], [*starts, n]):
                    ai, bj = ais[k], bjs[k]
                    if ai != pi or bj != pj:
                        if ai - pi <= 1 and bj - pj <= 1:
                            if ai - pi == 1 and bj - pj == 1 and a[pi] == b[pj]:
                                append(("equal", pi, ai, pj, bj))
                            else:
                                other(pi, ai, pj, bj)
                        else:
                            solve(pi, ai, pj, bj, depth + 1)
                    pi, pj = ais[end - 1] + 1, bjs[end - 1] + 1
                    append(("equal", ai, pi, bj, pj))
                solve(pi, i2, pj, j2, depth + 1)
        if tail:
            append(("equal", i2, i2 + tail, j2, j2 + tail))

    solve(0, len(a), 0, len(b), depth)
    merged: list[list] = []
    last: list = [None, -1, -1, -1, -1]
    for op in ops:  # neighbouring equal or changed stretches as one opcode, as difflib gives them
        if (last[0] == "equal") == (op[0] == "equal") and last[2] == op[1] and last[4] == op[3]:
            last[2], last[4] = op[2], op[4]
            if last[0] != "equal":
                last[0] = "replace" if last[1] < last[2] and last[3] < last[4] else "delete" if last[1] < last[2] else "insert"
        else:
            last = list(op)
            merged.append(last)
    # solve refers to itself through its closure, a cycle that holds ``ops`` (80,000 tuples for
    # a long story) until the cyclic collector finds it: emptied now, they are freed at once.
    ops.clear()
    return [tuple(op) for op in merged]


def _anchors(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> tuple[list[int], list[int]]:
    """Pairs (i, j) of lines that occur exactly once in a[i1:i2] and once in b[j1:j2], the
    longest increasing run of them (patience sorting), as the list of the i's and the list of
    the j's."""
    # Found in C (Counter, sets, compress, map): a story of 200,000 lines is one stretch at the
    # top. The lines once on each side: those on both sides less those more than once on either
    # (most_common puts them first, and a story repeats few lines).
    side_a, side_b = a[i1:i2], b[j1:j2]
    if len(side_a) + len(side_b) <= _SMALL_STRETCH:
        # A few lines between two anchors of a long story (thousands of such stretches, where
        # building two Counters took most of the diff's time): counted by list.count.
        once = {line for line in side_a if side_a.count(line) == 1}
        once.intersection_update([line for line in side_b if side_b.count(line) == 1])
    else:
        once = set(side_a)
        once.intersection_update(side_b)
        for side in (side_a, side_b):
            for line, n in Counter(side).most_common():
                if n == 1:
                    break
                once.discard(line)
    if not once:
        return [], []
    where_b = dict(zip(side_b, range(j1, j2)))  # the last place of a line: the only one of a unique line
    ais = list(compress(range(i1, i2), map(once.__contains__, side_a)))
    bjs = list(map(where_b.__getitem__, compress(side_a, map(once.__contains__, side_a))))
    if bjs == sorted(bjs):  # no line moved (the common case, checked in C): the run is all of them
        return ais, bjs
    # longest increasing subsequence of the j's, O(n log n)
    tails: list[int] = []  # tails[k]: the index in the pairs of the smallest j ending a run of k+1
    tail_js: list[int] = []
    previous = [-1] * len(bjs)
    for k, j in enumerate(bjs):
        pos = bisect.bisect_left(tail_js, j)
        previous[k] = tails[pos - 1] if pos else -1
        if pos == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[pos] = k
            tail_js[pos] = j
    run = []
    k = tails[-1]
    while k >= 0:
        run.append(k)
        k = previous[k]
    run.reverse()
    return [ais[k] for k in run], [bjs[k] for k in run]


def _hunks(a: list[str], b: list[str], opcodes: list[tuple], context: int) -> list[str]:
    """The lines of the hunks of a unified diff from opcodes, grouped and numbered as difflib
    does (each stretch of lines prefixed in one C-level pass)."""
    out: list[str] = []
    extend, append = out.extend, out.append
    same, minus, plus = " ".__add__, "-".__add__, "+".__add__
    # _change_opcodes' new side: its changed stretches read from the dict directly (a method
    # call per opcode otherwise, on 44,000 opcodes of one-line replacements)
    by_start = b.by_start if isinstance(b, _NewSide) else None
    for group in _grouped(opcodes, context):
        first, last = group[0], group[-1]
        append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                extend(map(same, a[i1:i2]))
                continue
            if tag != "insert":  # replace, delete
                if i2 - i1 == 1:
                    append(minus(a[i1]))
                else:
                    extend(map(minus, a[i1:i2]))
            if tag != "delete":  # replace, insert
                side = b[j1:j2] if by_start is None else by_start[j1]
                if len(side) == 1:
                    append(plus(side[0]))
                else:
                    extend(map(plus, side))
    return out


def _grouped(codes: list[tuple], n: int) -> Iterator[list[tuple]]:
    """``difflib.SequenceMatcher.get_grouped_opcodes`` on given opcodes."""
    codes = list(codes)
    if not codes:
        codes = [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    group: list[tuple] = []
    for code in codes:
        tag, i1, i2, j1, j2 = code
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
            code = (tag, i1, i2, j1, j2)
        group.append(code)
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    """A hunk's line range as difflib writes it (1-based; an empty range names the line before)."""
    beginning = start + 1
    length = stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def colorize(patch: str) -> str:
    """Terminal colours for a patch: header bold, hunks cyan, -/+ red/green, and within a
    run of replaced lines the changed words in reverse video."""
    out: list[str] = []
    minus: list[str] = []
    plus: list[str] = []

    def flush() -> None:
        if len(minus) == len(plus):
            for old, new in zip(minus, plus):
                old_body, new_body = old[1:], new[1:]
                ops = word_diff(old_body.rstrip("\n"), new_body.rstrip("\n"))
                out.append(ansi_style("-", fg="red") + "".join(
                    ansi_style(t, fg="red", reverse=(op == "-") or None) for op, t in ops if op != "+") + "\n")
            for old, new in zip(minus, plus):
                ops = word_diff(old[1:].rstrip("\n"), new[1:].rstrip("\n"))
                out.append(ansi_style("+", fg="green") + "".join(
                    ansi_style(t, fg="green", reverse=(op == "+") or None) for op, t in ops if op != "-") + "\n")
        else:
            out.extend(ansi_style(line.rstrip("\n"), fg="red") + "\n" for line in minus)
            out.extend(ansi_style(line.rstrip("\n"), fg="green") + "\n" for line in plus)
        minus.clear()
        plus.clear()

    for line in patch.splitlines(keepends=True):
        if line.startswith("-") and not line.startswith("--- "):
            if plus:
                flush()
            minus.append(line)
            continue
        if line.startswith("+") and not line.startswith("+++ "):
            plus.append(line)
            continue
        flush()
        if line.startswith(("diff --git", "--- ", "+++ ")):
            out.append(ansi_style(line.rstrip("\n"), bold=True) + "\n")
        elif line.startswith("@@"):
            out.append(ansi_style(line.rstrip("\n"), fg="cyan") + "\n")
        else:
            out.append(line)
    flush()
    return "".join(out)


def result_patch(result: FileResult) -> str:
    """The patch of one scanned file with the default changes applied."""
    from mtcheck.changes import fix_story

    doc = result.document
    if doc is None:
        return ""
    story = fix_story(doc)
    notes = repair_notes(doc, story)
    if doc.source is not None:  # a wire story: the patch is of the original file (issue 12)
        from mtcheck.readers import WireError, written_back

        try:
            story = written_back(story, doc.source)
        except WireError:
            return ""
        return _with_notes(notes, unified_diff(patch_path(story.path), story.original, story.text))
    return _with_notes(notes, unified_diff(patch_path(result.path), doc.text, story.text, changes=story.applied))


def repair_notes(doc, story) -> list[str]:
    """One line per applied rewrite that the offline repairs made, naming the transforms:
    "# mtcheck: line 16: rewrite by impersonal-passive". Patch tools skip text before a file's
    "diff --git" header (as they skip a commit message), so the patch still applies."""
    out = []
    for c in story.applied:
        names = getattr(c.ref, "transforms", ())
        if names:
            line, _ = doc.line_col(c.start)
            out.append(f"# mtcheck: {doc.path}:{line}: rewrite by {', '.join(names)}\n")
    return out


def _with_notes(notes: list[str], patch: str) -> str:
    return "".join(notes) + patch if patch and notes else patch


def items_patch(results: Sequence[FileResult]) -> str:
    """One patch of a file holding several stories (a feed, a news message) with every item's
    default changes applied (issue 12)."""
    from mtcheck.changes import fix_story
    from mtcheck.readers import WireError, written_back_all

    fixed = [(fix_story(r.document), r.document.source) for r in results]
    notes = [n for r, (f, _) in zip(results, fixed) for n in repair_notes(r.document, f)]
    try:
        story = written_back_all(fixed)
    except WireError:
        return ""
    return _with_notes(notes, unified_diff(patch_path(story.path), story.original, story.text))


def _patches(results) -> Iterable[str]:
    items: list[FileResult] = []  # consecutive items of one multi-story file
    for r in results:
        if r.document is None:
            continue
        src = r.document.source
        if items and (src is None or src.item is None or src.file != items[0].document.source.file):
            yield items_patch(items)
            items = []
        if src is not None and src.item is not None:
            items.append(r)
        else:
            yield result_patch(r)
    if items:
        yield items_patch(items)


def render(results: Sequence[FileResult] | Iterable[FileResult], signature: dict | None = None, color: bool = False, **_) -> str:
    patch = "".join(_patches(results))
    return colorize(patch) if color else patch
