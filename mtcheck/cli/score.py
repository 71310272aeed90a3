"""``mtcheck score [FILE|-]``: score machine-translation output in bulk, one segment per line.

Each input line is checked as its own document (every rule family, plus the calibrated
sentence quality unless ``--no-neural``) and produces one JSON record on its own line (JSONL),
in input order; blank lines produce records too, so output line N always describes input
line N. A line holding several sentences is segmented like any story: each sentence is
scored and checked on its own (so no fix ever reaches across a sentence boundary) and listed
in the record's ``sentences``; the line's ``quality`` is the lowest of its sentences'. Lines
are processed in batches, so the language model sees many sentences per pass and output
streams for long files.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Iterator, TextIO

import click

from mtcheck.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    SEVERITY_CHOICE,
    build_settings,
    fail,
    parse_fail_on,
    rule_options,
)
from mtcheck.document import Document

BATCH_LINES = 256
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (\\n, \\r\\n or \\r); a final line break ends the last
    line rather than opening an empty one."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def line_document(line: str, path: str) -> Document:
    """A document holding ``line``, segmented into its sentences like any story (a line with
    one sentence is a one-sentence document)."""
    return Document.from_text(line, path=path)


def _record(number: int, line: str, doc: Document | None) -> dict:
    if doc is None or not doc.sentences:
        return {"line": number, "text": line, "quality": None, "flagged": False, "findings": [], "sentences": []}
    from mtcheck.report.json import finding_record

    flagged = doc.flagged_sentences()
    records = [(f, _without_line(finding_record(doc, f))) for f in doc.findings]
    sentences = []
    for s in doc.sentences:
        rec = {"start": s.start, "end": s.end, "text": s.text, "kind": s.kind, "quality": s.scores.get("quality"),
               "flagged": s.index in flagged,
               "findings": [r for f, r in records if s.start <= f.start < max(s.end, s.start + 1)]}
        for key in ("lm_logprob", "slor"):
            if key in s.scores:
                rec[key] = s.scores[key]
        sentences.append(rec)
    qualities = [r["quality"] for r in sentences if isinstance(r["quality"], (int, float))]
    rec = {
        "line": number,
        "text": line,
        "quality": min(qualities) if qualities else None,
        "flagged": bool(flagged),
        "findings": [r for _, r in records],
        "kind": doc.sentences[0].kind if len(doc.sentences) == 1 else "body",
        "sentences": sentences,
    }
    if len(sentences) == 1:
        for key in ("lm_logprob", "slor"):
            if key in sentences[0]:
                rec[key] = sentences[0][key]
    return rec


def _without_line(rec: dict) -> dict:
    # Positions are within the line's text; the record's "line" says which line.
    for key in ("line", "end_line"):
        rec.pop(key, None)
    return rec


def score_lines(lines: list[str], pipeline, name: str, batch: int = BATCH_LINES) -> Iterator[dict]:
    """Records for ``lines`` in order, checking ``batch`` lines per pass."""
    for start in range(0, len(lines), batch):
        chunk = lines[start:start + batch]
        docs: list[Document | None] = [
            line_document(line, f"{name}:{start + i + 1}") if line.strip() else None for i, line in enumerate(chunk)
        ]
        pipeline.run([d for d in docs if d is not None])
        for i, (line, doc) in enumerate(zip(chunk, docs)):
            yield _record(start + i + 1, line, doc)


@click.command()
@click.argument("source", required=False, default="-", type=click.Path(allow_dash=True, dir_okay=False))
@rule_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the JSONL to this file (atomically) instead of standard output.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None,
              help="Exit 1 when a finding has at least this severity (default: error, or fail-on in config).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Model cache folder (default: $MTCHECK_CACHE_DIR, else the user cache directory).")
@click.option("--batch-size", type=click.IntRange(1, 100000), default=BATCH_LINES, show_default=True,
              help="Lines checked per pass (the language model batches inside each pass).")
def score(source, config_path, select, ignore, extend_select, unfixable, neural, parse, output, fail_on, cache_dir, batch_size):
    """Score MT output line by line: one JSON record per input line (JSONL).

    SOURCE is a text file with one segment per line, or - (the default) for standard input.
    Any common encoding is accepted (UTF-8, UTF-16, cp1251, koi8-r, latin-1). Each record:

    \b
      {"line": 1, "text": "...", "quality": 0.42, "flagged": false, "findings": [...],
       "sentences": [{"start": 0, "end": 31, "text": "...", "quality": 0.42,
                      "flagged": false, "findings": [...]}, ...]}

    A line is segmented into sentences, each scored and checked on its own (fixes never
    reach across sentences). quality is in [0, 1], higher = better English (null for blank
    lines and with --no-neural); a line's quality is the LOWEST of its sentences' qualities
    (a line is as good as its worst sentence). flagged is true when a syntax or language
    finding falls in the line (per sentence: in that sentence); findings lists every finding
    of the line, and each sentence lists those starting in it; all offsets index the line's
    text. Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage,
    configuration or input errors.
    """
    from mtcheck.pipeline import Pipeline
    from mtcheck.reader import InputError, decode, read_bytes

    # Lines are scored, not rewritten: the rewrite stage stays off whatever the config says.
    settings = build_settings(
        config_path, [] if source == "-" else [source], select=select, ignore=ignore, extend_select=extend_select, unfixable=unfixable,
        neural=neural, parse=parse, cache_dir=cache_dir,
    ).but(rewrite=False)
    cfg = settings.config
    threshold = parse_fail_on(fail_on, cfg)
    name = "<stdin>" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else read_bytes(source)
        text = decode(data, name).text
    except InputError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{name}: cannot read: {e.strerror or e}")

    pipeline = Pipeline(settings)
    lines = split_lines(text)
    failing = False
    out: TextIO = sys.stdout
    chunks: list[str] = []
    try:
        for rec in score_lines(lines, pipeline, name, batch_size):
            if threshold is not None and any(_severity_at_least(f["severity"], threshold) for f in rec["findings"]):
                failing = True
            line = json.dumps(rec, ensure_ascii=False)
            if output:
                chunks.append(line + "\n")
            else:
                out.write(line + "\n")
        if not output:
            out.flush()
    except Exception as e:  # a model that cannot load: one line, not a traceback
        from mtcheck.neural.fluency import FluencyUnavailable
        from mtcheck.quality import QualityModelError

        if isinstance(e, (FluencyUnavailable, QualityModelError)):
            fail(f"{e} (or use --no-neural)")
        raise
    if output:
        from mtcheck.fsutil import atomic_write

        try:
            atomic_write(output, "".join(chunks))
        except OSError as e:
            fail(f"{output}: cannot write: {e.strerror or e}")
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _severity_at_least(name: str, threshold) -> bool:
    from mtcheck.findings import Severity

    return Severity.parse(name) >= threshold


__all__ = ["score", "score_lines", "split_lines", "line_document", "EXIT_ERROR"]
