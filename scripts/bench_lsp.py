"""Latency of `mtcheck lsp`: from a didChange to the publishDiagnostics for that version.

    python scripts/bench_lsp.py [--sentences 40] [--edits 20]
    python scripts/bench.py lsp

Starts ``python -m mtcheck lsp`` as an editor would (rules-only, the default), opens a story of
``--sentences`` sentences taken from ``seeds/``, then makes ``--edits`` one-word edits, each an
incremental change, and times each from sending the change to receiving its diagnostics. Prints
the time to the first diagnostics (cold: imports, gazetteers) and the median and maximum per
edit. The goal for a 40-sentence story is well under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def story(n_sentences: int) -> str:
    """A title and ``n_sentences`` body sentences from the seed stories, four to a paragraph."""
    from mtcheck.document import Document

    body = [s.text for p in sorted((ROOT / "seeds").glob("*.txt"))
            for s in Document.from_text(p.read_text(encoding="utf-8")).sentences if s.kind == "body"]
    if not body:
        sys.exit("no seed stories in seeds/")
    while len(body) < n_sentences:
        body = body + body
    body = body[:n_sentences]
    paragraphs = [" ".join(body[i:i + 4]) for i in range(0, len(body), 4)]
    return "Moscow calls for a meeting of the UN Security Council\n\n" + "\n\n".join(paragraphs) + "\n"


async def measure(text: str, edits: int) -> tuple[float, list[float], int]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("mtcheck-bench", "1")
    arrivals: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params):
        arrivals.put_nowait((time.perf_counter(), params))

    async def diagnostics_for(version: int):
        while True:
            at, params = await asyncio.wait_for(arrivals.get(), 60)
            if params.version == version:
                return at, params

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MTCHECK_CACHE_DIR": os.path.join(tmp, "cache")}
        await client.start_io(sys.executable, "-m", "mtcheck", "lsp", env=env, cwd=tmp)
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        client.initialized(types.InitializedParams())
        uri = Path(tmp, "story.txt").as_uri()
        start = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)))
        at, params = await diagnostics_for(1)
        first = at - start
        findings = len(params.diagnostics)
        # Each edit inserts a word after the title, or takes the previous one out again.
        line_end = types.Position(line=0, character=len(text.split("\n", 1)[0]))
        word = " LIH"
        times = []
        for i in range(edits):
            version = i + 2
            if i % 2 == 0:
                change = types.TextDocumentContentChangePartial(range=types.Range(start=line_end, end=line_end), text=word)
            else:
                after = types.Position(line=0, character=line_end.character + len(word))
                change = types.TextDocumentContentChangePartial(range=types.Range(start=line_end, end=after), text="")
            start = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
            at, _ = await diagnostics_for(version)
            times.append(at - start)
        await client.shutdown_async(None)
        client.exit(None)
        await client._server.wait()
        await client.stop()
    return first, times, findings


def bench_lsp(args=None) -> None:
    """mtcheck lsp: didChange -> publishDiagnostics latency on a 40-sentence story (rules-only)"""
    sentences = getattr(args, "lsp_sentences", 40)
    edits = getattr(args, "lsp_edits", 20)
    try:
        import pygls  # noqa: F401
    except ImportError:
        print("lsp: pygls is not installed; skipped")
        return
    try:
        one, five, _ = os.getloadavg()
        load = f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
    except OSError:
        load = "load average unknown"
    print(f"== lsp ({load})")
    text = story(sentences)
    first, times, findings = asyncio.run(measure(text, edits))
    ms = [t * 1000 for t in times]
    print(f"story: {sentences} sentences, {len(text)} characters, {findings} findings (rules-only)")
    print(f"first diagnostics after didOpen (cold server): {first * 1000:.0f} ms")
    print(f"didChange -> publishDiagnostics over {edits} edits: median {statistics.median(ms):.1f} ms, "
          f"max {max(ms):.1f} ms (goal: well under 300 ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", dest="lsp_sentences", type=int, default=40)
    ap.add_argument("--edits", dest="lsp_edits", type=int, default=20)
    bench_lsp(ap.parse_args())


if __name__ == "__main__":
    main()
