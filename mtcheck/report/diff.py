"""``scan --diff``: unified diffs of what mtcheck would change, for ``git apply``.

The changes are the default ones (accepted rewrites and safe rule fixes, see
``mtcheck.review.suggestions``); ``mtcheck review`` exports the editor's own choices with
the same ``unified_diff``. The patch is plain text; on a terminal it is coloured, with the
changed words of each replaced line emphasised (colour is never written to a file or pipe,
so the output stays applicable).
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Iterable, Sequence

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


def unified_diff(path: str, old: str, new: str, context: int = 3) -> str:
    """A git-style unified diff of one file (``diff --git a/P b/P``); '' when unchanged."""
    if old == new:
        return ""
    a, b = lines(old), lines(new)
    out = [f"diff --git a/{path} b/{path}\n", f"--- a/{path}\n", f"+++ b/{path}\n"]
    body = difflib.unified_diff(a, b, n=context, lineterm="\n")
    for i, line in enumerate(body):
        if i < 2:  # difflib's own ---/+++ header
            continue
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)


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
    if doc.source is not None:  # a wire story: the patch is of the original file (issue 12)
        from mtcheck.readers import WireError, written_back

        try:
            story = written_back(story, doc.source)
        except WireError:
            return ""
        return unified_diff(patch_path(story.path), story.original, story.text)
    return unified_diff(patch_path(result.path), doc.text, story.text)


def render(results: Sequence[FileResult] | Iterable[FileResult], signature: dict | None = None, color: bool = False, **_) -> str:
    patch = "".join(result_patch(r) for r in results if r.document is not None)
    return colorize(patch) if color else patch
