"""Suppressions: what a story's directive comments and the config's ``per-file-ignores`` take out
of the rules' findings.

The rules stage (``RulesStage.check``) applies them to what the rule families found:

- **Directive comments**, HTML comments (Markdown and HTML hide them from readers)::

      <!-- mtcheck-disable E101 S105 -->   ... <!-- mtcheck-enable -->   (or to the end of the story)
      <!-- mtcheck-disable-next-line S105 -->    the next line with text on it
      <!-- mtcheck-disable-line S105 -->         the line the comment is on

  Codes are rule codes, code prefixes or family names, as ``--select`` takes them, separated by
  spaces or commas; none means every rule. ``mtcheck-enable`` with codes re-enables only those.
  In Markdown and HTML a directive may follow text on its line; in a plain-text story it must
  stand on a line of its own (an inline "<!--" in wire copy is part of the copy). Inside a
  fenced code block of a Markdown story a directive is text.
- **per-file-ignores** in config: ``{glob = [codes]}`` as in ruff. A glob is matched against the
  path as given on the command line and against the path relative to the config file's folder;
  a glob without a "/" also matches the file name alone.

What a suppression took out is kept, with what took it out (``inline``, ``per-file-ignores``,
``directive``), in ``codec.suppressed(doc)``: it travels with the document (result store,
workers, review database), every summary counts it and ``scan --show-suppressed`` lists it. A
directive that suppresses nothing, or names an unknown rule, is reported as M101 (as ruff's
RUF100): only rules that ran count, so a ``--no-neural`` scan does not report a directive for a
neural rule.
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Mapping, Sequence

from mtcheck import codec
from mtcheck.document import Document
from mtcheck.findings import Edit, Finding, Fix, Severity
from mtcheck.readers import split_name
from mtcheck.rules import SelectorError, all_rules, select_rules
from mtcheck.rules.suppression import UNUSED_SUPPRESSION

# The comment, on one line. The codes run to the closing "-->".
_DIRECTIVE = re.compile(
    r"<!--[ \t]*mtcheck-(?P<kind>disable-next-line|disable-line|disable|enable)(?=[\s,]|-->)"
    r"(?P<codes>[^\r\n]{0,500}?)[ \t]*-->"  # bounded: an unclosed comment costs its 500 characters, not its line
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_MARKUP_SUFFIXES = (".md", ".markdown", ".mdown", ".html", ".htm")
# A story with more directives than this is hostile or generated: the rest are reported, not
# honoured, so that matching stays linear in the findings.
MAX_DIRECTIVES = 500

INLINE, PER_FILE, DIRECTIVE = "inline", "per-file-ignores", "directive"


@dataclass
class Directive:
    kind: str  # disable | enable | disable-line | disable-next-line
    start: int  # the comment's span in the text
    end: int
    line: int  # 0-based line index
    tokens: tuple[str, ...]  # the codes as written; () means every rule
    used: set[str] = field(default_factory=set)  # tokens that suppressed something ("" for every rule)

    @property
    def names(self) -> tuple[str, ...]:
        return self.tokens or ("",)


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    directive: Directive
    token: str
    codes: frozenset[str] | None  # None: every rule


@lru_cache(maxsize=1024)
def expand(token: str) -> frozenset[str] | None:
    """The rule codes a selector names; None for an unknown one."""
    try:
        return select_rules([token])
    except SelectorError:
        return None


@lru_cache(maxsize=1)
def _all_codes() -> frozenset[str]:
    return frozenset(r.code for r in all_rules())


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _line_end(text: str, starts: list[int], i: int) -> int:
    """Where line ``i`` ends, before its line break."""
    if i + 1 >= len(starts):
        return len(text)
    end = starts[i + 1]
    if text[end - 1] == "\n":
        end -= 1
    if end > starts[i] and text[end - 1] == "\r":
        end -= 1
    return end


def _fenced(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """The spans of fenced code blocks (``` or ~~~), for Markdown."""
    spans, opened = [], None
    for i, s in enumerate(starts):
        m = _FENCE.match(text, s, _line_end(text, starts, i))
        if m is None:
            continue
        fence = m.group(1)
        if opened is None:
            opened = (s, fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]):
            spans.append((opened[0], _line_end(text, starts, i)))
            opened = None
    if opened is not None:
        spans.append((opened[0], len(text)))
    return spans


def parse_directives(doc: Document) -> list[Directive]:
    text = doc.text
    if "mtcheck-" not in text:
        return []
    markup = Path(doc.path).suffix.lower() in _MARKUP_SUFFIXES
    starts = _line_starts(text)
    fences = _fenced(text, starts) if markup else []
    out = []
    for m in _DIRECTIVE.finditer(text):
        if any(a <= m.start() < b for a, b in fences):
            continue
        line = bisect.bisect_right(starts, m.start()) - 1
        alone = not text[starts[line]:m.start()].strip() and not text[m.end():_line_end(text, starts, line)].strip()
        if not markup and not alone:
            continue
        tokens = tuple(t for t in re.split(r"[\s,]+", m.group("codes")) if t)
        out.append(Directive(kind=m.group("kind"), start=m.start(), end=m.end(), line=line, tokens=tokens))
    return out


def _regions(text: str, directives: Sequence[Directive]) -> list[Region]:
    starts = _line_starts(text)
    # Lines holding nothing but directives: "next line" looks past them (stacked directives).
    directive_lines = {d.line for d in directives}
    only_directives = set()
    for i in directive_lines:
        rest = _DIRECTIVE.sub("", text[starts[i]:_line_end(text, starts, i)])
        if not rest.strip():
            only_directives.add(i)
    # The first line at or after each line with text on it that is not only directives, in one
    # backward pass (so that many directives over many blank lines stay linear).
    next_text = [len(starts)] * (len(starts) + 1)
    for i in range(len(starts) - 1, -1, -1):
        has_text = i not in only_directives and text[starts[i]:_line_end(text, starts, i)].strip()
        next_text[i] = i if has_text else next_text[i + 1]
    regions: list[Region] = []
    opened: list[tuple[Directive, str, frozenset[str] | None, int]] = []

    def codes_of(token: str) -> frozenset[str] | None:
        return None if token == "" else expand(token)

    for d in directives:
        if d.kind == "disable":
            for token in d.names:
                if token and expand(token) is None:
                    continue  # unknown: reported, suppresses nothing
                opened.append((d, token, codes_of(token), d.end))
        elif d.kind == "enable":
            closing: frozenset[str] | None = None
            if d.tokens:
                closing = frozenset().union(*(expand(t) or frozenset() for t in d.tokens))
            still = []
            for od, token, codes, start in opened:
                if closing is not None and not (codes is None or codes & closing):
                    still.append((od, token, codes, start))
                    continue
                regions.append(Region(start, d.start, od, token, codes))
                if closing is not None:
                    # Re-enabled for some codes: the others stay disabled after the comment.
                    rest = (_all_codes() if codes is None else codes) - closing
                    if rest:
                        still.append((od, token, rest, d.end))
            opened = still
        else:
            if d.kind == "disable-line":
                target = d.line
            else:
                target = next_text[d.line + 1]
                if target >= len(starts):
                    continue  # nothing follows: the directive is unused
            a, b = starts[target], _line_end(text, starts, target)
            for token in d.names:
                if token and expand(token) is None:
                    continue
                regions.append(Region(a, b, d, token, codes_of(token)))
    for od, token, codes, start in opened:
        regions.append(Region(start, len(text), od, token, codes))
    return regions


# -- per-file-ignores -------------------------------------------------------------------------------
def _path_forms(path: str, base: str | None) -> list[str]:
    """The forms of ``path`` a per-file-ignores glob is matched against."""
    forms = []
    given = PurePosixPath(Path(path).as_posix())
    forms.append(str(given).removeprefix("./"))
    if base is not None:
        try:
            rel = os.path.relpath(os.path.abspath(path), base)
        except ValueError:  # another drive (Windows)
            rel = None
        if rel is not None and not rel.startswith(".."):
            forms.append(Path(rel).as_posix())
    return forms


def _glob_matches(pattern: str, forms: Sequence[str]) -> bool:
    pattern = pattern.removeprefix("./")
    patterns = [pattern]
    while pattern.startswith("**/"):  # "**/x" also matches "x" at the top
        pattern = pattern[3:]
        patterns.append(pattern)
    for form in forms:
        for p in patterns:
            if fnmatch.fnmatchcase(form, p):
                return True
            if "/" not in p and fnmatch.fnmatchcase(form.rsplit("/", 1)[-1], p):
                return True
    return False


class Suppressor:
    """The suppressions of one run: built once by the rules stage from the config and the rules
    that can run, applied to each document's findings."""

    def __init__(self, per_file_ignores: Mapping[str, Sequence[str]], config_path: str | None,
                 enabled: frozenset[str], active: frozenset[str], severity: Severity | None = None):
        self.per_file = [(glob, frozenset().union(*(expand(c) or frozenset() for c in codes)))
                         for glob, codes in per_file_ignores.items()]
        self.base = os.path.dirname(os.path.abspath(config_path)) if config_path else None
        self.enabled = enabled
        self.active = active  # enabled and with the resources they need: the rules that ran
        self.severity = severity or UNUSED_SUPPRESSION.severity  # M101's, after the config's overrides

    def ignored_for(self, path: str) -> frozenset[str]:
        """The rule codes per-file-ignores switch off for ``path``."""
        if not self.per_file or path.startswith("<"):
            return frozenset()
        forms = _path_forms(split_name(path)[0], self.base)  # one story of a feed: the feed's file
        out: frozenset[str] = frozenset()
        for glob, codes in self.per_file:
            if _glob_matches(glob, forms):
                out |= codes
        return out

    def apply(self, doc: Document, findings: list[Finding]) -> list[Finding]:
        """The findings to report; what was suppressed goes to ``codec.suppressed(doc)``."""
        directives = parse_directives(doc)
        ignored = self.ignored_for(doc.path)
        if not directives and not ignored:
            doc.user_data[codec.SUPPRESSED] = []
            return findings
        honoured, excess = directives[:MAX_DIRECTIVES], directives[MAX_DIRECTIVES:]
        regions = sorted(_regions(doc.text, honoured), key=lambda r: r.start)
        region_starts = [r.start for r in regions]
        spans = [(d.start, d.end) for d in directives]
        span_starts = [s for s, _ in spans]
        kept: list[Finding] = []
        suppressed: list[tuple[Finding, str]] = []
        # A sweep over the findings in order: ``active`` holds the regions begun and not ended.
        active: list[Region] = []
        taken = 0
        for f in sorted(findings, key=Finding.sort_key):
            i = bisect.bisect_right(span_starts, f.start) - 1
            if i >= 0 and f.start < spans[i][1]:
                # A finding about the directive comment itself (it reads as a heading line).
                suppressed.append((f, DIRECTIVE))
                continue
            upto = bisect.bisect_right(region_starts, f.start)
            if upto > taken:
                active.extend(regions[taken:upto])
                taken = upto
            active = [r for r in active if r.end > f.start]
            hit = False
            for r in active:
                if r.codes is None or f.code in r.codes:
                    r.directive.used.add(r.token)
                    hit = True
            if hit:
                suppressed.append((f, INLINE))
            elif f.code in ignored:
                suppressed.append((f, PER_FILE))
            else:
                kept.append(f)
        if UNUSED_SUPPRESSION.code in self.enabled:
            for f in self._unused(doc, honoured) + [self._excess(doc, d) for d in excess]:
                if f.code in ignored:
                    suppressed.append((f, PER_FILE))
                else:
                    kept.append(f)
            kept.sort(key=Finding.sort_key)
        doc.user_data[codec.SUPPRESSED] = suppressed
        return kept

    # -- M101 -------------------------------------------------------------------------------------
    def _unused(self, doc: Document, directives: Sequence[Directive]) -> list[Finding]:
        out = []
        for d in directives:
            unknown = [t for t in d.tokens if expand(t) is None]
            if d.kind == "enable":
                if unknown:
                    out.append(self._finding(doc, d, [], unknown, fix=False))
                continue
            unused = []
            for token in d.names:
                if token in unknown or token in d.used:
                    continue
                codes = self.active if token == "" else expand(token) & self.active
                if codes:  # at least one of its rules ran and reported nothing here
                    unused.append(token)
            if unused or unknown:
                out.append(self._finding(doc, d, unused, unknown, fix=True))
        return out

    def _finding(self, doc: Document, d: Directive, unused: list[str], unknown: list[str], fix: bool) -> Finding:
        named = ", ".join(t for t in unused if t)
        unknowns = ", ".join(f"'{t}'" for t in unknown)
        if unused and unknown:
            message = f"unused suppression: nothing reported here for {named or 'any rule'}, and unknown rule {unknowns}"
        elif unused:
            message = (f"unused suppression: nothing reported here for {named or 'any rule'}; "
                       "remove it, or it will hide the next real problem")
        else:
            message = f"suppression names unknown rule {unknowns}: it suppresses nothing (see `mtcheck rules`)"
        gone = set(unused) | set(unknown)
        keep = [t for t in d.tokens if t not in gone]
        suggestion = fixed = None
        if fix:
            if keep:
                suggestion = f"<!-- mtcheck-{d.kind} {' '.join(keep)} -->"
                fixed = Fix(edits=(Edit(d.start, d.end, suggestion),))
            else:
                suggestion = ""
                fixed = Fix(edits=(_deletion(doc.text, d),))
        return Finding(
            code=UNUSED_SUPPRESSION.code, category=UNUSED_SUPPRESSION.category, severity=self.severity,
            start=d.start, end=d.end, text=doc.text[d.start:d.end], message=message,
            suggestion=suggestion, fix=fixed, data={"unused": [t or "ALL" for t in unused], "unknown": unknown},
        )

    def _excess(self, doc: Document, d: Directive) -> Finding:
        return Finding(
            code=UNUSED_SUPPRESSION.code, category=UNUSED_SUPPRESSION.category, severity=self.severity,
            start=d.start, end=d.end, text=doc.text[d.start:d.end],
            message=f"more than {MAX_DIRECTIVES} suppression comments in one story: this one is not honoured",
        )


def _deletion(text: str, d: Directive) -> Edit:
    """Delete the comment; when it stands alone on its line, the line with its line break."""
    starts = _line_starts(text)
    a, b = starts[d.line], _line_end(text, starts, d.line)
    if text[a:d.start].strip() or text[d.end:b].strip():
        return Edit(d.start, d.end, "")
    return Edit(a, starts[d.line + 1] if d.line + 1 < len(starts) else b, "")
