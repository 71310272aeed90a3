"""Baselines: adopt mtcheck on an archive and see only the problems that are new.

``scan --write-baseline FILE`` records every finding of the scan; ``scan --baseline FILE`` then
reports only the findings that are not in it. A finding is recorded by its fingerprint: the
rule, the text of the sentence it is in (whitespace collapsed, Unicode NFC) and the text it
matched, never its offsets or line, so that editing another sentence of the story, or adding
a paragraph above it, leaves it recognised. The baseline counts each fingerprint per file:
two identical findings (the same acronym twice in one sentence) need two entries, so a third
one added later is reported.

Files are named relative to the baseline file's folder, so the baseline is found again
whichever folder the scan runs from. The same fingerprints (with their occurrence number) are
SARIF's ``partialFingerprints`` and GitLab's issue fingerprints.

Findings the baseline holds are moved from ``doc.findings`` to ``codec.suppressed(doc)`` with
the reason ``baseline``: they are counted in the summary and listed by ``--show-suppressed``.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import operator
import os
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from mtcheck import __version__, codec
from mtcheck.document import Document
from mtcheck.findings import Finding
from mtcheck.fsutil import atomic_write, printable, read_regular

VERSION = 1
BASELINE = "baseline"
FINGERPRINT_KEY = "mtcheck/v1"  # SARIF partialFingerprints key
MAX_BASELINE_BYTES = 1 << 30


class BaselineError(Exception):
    """A baseline file that cannot be read or is not one; the message is one line."""


def normalise(text: str) -> str:
    # str.split() splits at exactly the whitespace re's \s knows: the same as
    # re.sub(r"\s+", " ", ...).strip(), three times faster (the JSON report asks twice per finding).
    return " ".join(unicodedata.normalize("NFC", text).split())


def fingerprints(doc: Document, findings: Sequence[Finding] | None = None) -> list[tuple[str, int]]:
    """(fingerprint, occurrence) of each finding of ``doc`` (default ``doc.findings``), in order:
    occurrence counts the findings before it with the same fingerprint (0 for the first)."""
    return list(_fingerprints(doc, doc.findings if findings is None else findings))


def _fingerprints(doc: Document, findings: Sequence[Finding]) -> Iterator[tuple[str, int]]:
    # A finding's fingerprint: the first 24 hex digits of the SHA-256 of its rule, its sentence
    # and its matched text (both normalised), joined by NULs. The JSON report asks for 47,000
    # of them in a story of short lines: each sentence is normalised once, by its index.
    sentences = doc.sentences
    starts = [s.start for s in sentences]
    sha256 = hashlib.sha256
    seen: dict[str, int] = {}
    last = -2  # the index of the sentence last normalised (-1: a finding in none)
    sentence = ""
    matched: dict[str, str] = {}  # normalised matched text: a long story repeats the same few
    for f in findings:
        start = f.start
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0:  # the sentence it starts in: an empty one holds the offset of its start
            s = sentences[i]
            if not (start < s.end or start == s.start):
                i = -1
        if i != last:  # findings come sentence by sentence
            last = i
            sentence = normalise(sentences[i].text) if i >= 0 else ""
        text = matched.get(f.text)
        if text is None:
            text = matched[f.text] = normalise(f.text)
        fp = sha256("\0".join((f.code, sentence, text)).encode("utf-8", "surrogatepass")).hexdigest()[:24]
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        yield fp, n


def fingerprint_strings(doc: Document, findings: Sequence[Finding] | None = None) -> list[str]:
    """``fingerprint:occurrence`` per finding: unique within a file, stable across edits elsewhere."""
    return [f"{fp}:{n}" for fp, n in _fingerprints(doc, doc.findings if findings is None else findings)]


def fingerprint_map(doc: Document) -> dict[int, str]:
    """``fingerprint:occurrence`` of every finding of ``doc``, reported or suppressed, by
    ``id(finding)``: occurrences are counted over both, so a finding keeps its fingerprint
    whether or not its twin was suppressed."""
    # Finding.sort_key's tuple, built in C (the same for a subclass: the key is the base's).
    every = sorted([*doc.findings, *(f for f, _ in codec.suppressed(doc))], key=_SORT_KEY)
    return {id(f): f"{fp}:{n}" for f, (fp, n) in zip(every, _fingerprints(doc, every))}


_SORT_KEY = operator.attrgetter("start", "end", "code")


def _key(path: str, base: Path) -> str:
    """A file's name in the baseline: relative to the baseline's folder when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()


def _base(baseline_path: str | os.PathLike) -> Path:
    return Path(os.path.abspath(baseline_path)).parent


# -- writing --------------------------------------------------------------------------------------
def build(results: Iterable, baseline_path: str | os.PathLike) -> dict:
    """The baseline of the scanned files' findings (FileResults; files with errors are left out)."""
    base = _base(baseline_path)
    files: dict[str, list[dict]] = {}
    for r in results:
        doc = r.document
        if doc is None or not doc.findings:
            continue
        entries: dict[str, dict] = {}
        for f, (fp, _) in zip(doc.findings, fingerprints(doc)):
            entry = entries.get(fp)
            if entry is None:
                entries[fp] = {"fingerprint": fp, "rule": f.code, "text": f.text, "count": 1}
            else:
                entry["count"] += 1
        files[_key(r.path, base)] = list(entries.values())
    return {
        "version": VERSION,
        "tool": "mtcheck",
        "mtcheck": __version__,
        "findings": sum(e["count"] for entries in files.values() for e in entries),
        "files": dict(sorted(files.items())),
    }


def write(results: Sequence, baseline_path: str | os.PathLike) -> dict:
    data = build(results, baseline_path)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    try:
        atomic_write(baseline_path, text)
    except OSError as e:
        raise BaselineError(f"{printable(baseline_path)}: cannot write the baseline: {e.strerror or e}") from None
    return data


# -- reading and applying -------------------------------------------------------------------------
class Baseline:
    def __init__(self, files: dict[str, Counter], base: Path, path: str):
        self.files = files
        self.base = base
        self.path = path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        shown = printable(path)
        try:
            raw = read_regular(path, MAX_BASELINE_BYTES)
        except OSError as e:
            raise BaselineError(f"{shown}: cannot read the baseline: {e.strerror or e}") from None
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise BaselineError(f"{shown}: not a baseline file (not JSON: {printable(str(e).splitlines()[0])})") from None
        if not isinstance(data, dict) or data.get("tool") != "mtcheck" or not isinstance(data.get("files"), dict):
            raise BaselineError(f"{shown}: not a baseline file (write one with `mtcheck scan --write-baseline FILE`)")
        if data.get("version") != VERSION:
            raise BaselineError(f"{shown}: baseline version {printable(data.get('version'))} is not {VERSION}; write it again with --write-baseline")
        files: dict[str, Counter] = {}
        for name, entries in data["files"].items():
            if not isinstance(entries, list):
                raise BaselineError(f"{shown}: files.{printable(name)} must be a list")
            counts: Counter = Counter()
            for e in entries:
                if not (isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                        and isinstance(e.get("count", 1), int) and not isinstance(e.get("count", 1), bool)
                        and e.get("count", 1) >= 0):
                    raise BaselineError(f"{shown}: files.{printable(name)}: each entry needs a fingerprint and a count")
                counts[e["fingerprint"]] += e.get("count", 1)
            files[name] = counts
        return cls(files, _base(path), str(path))

    def apply(self, results: Iterable) -> dict[str, int]:
        """Move the findings the baseline holds out of each document's findings (into
        ``codec.suppressed(doc)`` as ``baseline``). Returns {"matched": n, "new": n, "fixed": n}:
        fixed counts baseline entries of the scanned files no longer found."""
        matched = new = fixed = 0
        for r in results:
            doc = r.document
            if doc is None:
                continue
            left = Counter(self.files.get(_key(r.path, self.base), {}))
            kept, moved = [], []
            for f, (fp, _) in zip(doc.findings, fingerprints(doc)):
                if left[fp] > 0:
                    left[fp] -= 1
                    moved.append((f, BASELINE))
                else:
                    kept.append(f)
            matched += len(moved)
            new += len(kept)
            fixed += sum(n for n in left.values() if n > 0)
            if moved:
                doc.findings = kept
                doc.user_data[codec.SUPPRESSED] = list(codec.suppressed(doc)) + moved
        return {"matched": matched, "new": new, "fixed": fixed}
