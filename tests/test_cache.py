"""The result cache: faithful round trips, hits and invalidation, sentence entries,
concurrent writers, broken cache files, ``mtcheck cache info|clear``."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtcheck import codec
from mtcheck.cache import ResultCache, ResultStore, db_path
from mtcheck.cli import cli
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.engine import FileResult, Scanner
from mtcheck.findings import Applicability, Edit, Finding, Fix, Severity
from mtcheck.rules import all_rules
from mtcheck.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
USER_CACHE_BASE = os.environ.get("MTCHECK_CACHE_DIR")  # where the converted models are
FORMATS = ("text", "json", "sarif", "html")


def _render(fmt: str, results, scanner) -> str:
    module = importlib.import_module(f"mtcheck.report.{fmt}")
    return module.render(results, signature=scanner.signature(), color=False)


def _rules_only(tmp_path: Path, **kw) -> Scanner:
    opts = dict(neural=False, parse=False, cache=True, cache_dir=str(tmp_path / "cache"))
    opts.update(kw)
    return Scanner(Settings(config=Config(), **opts))


@pytest.fixture(autouse=True)
def _own_cache_base(tmp_path, monkeypatch):
    # `--cache-dir` moves every mtcheck cache through the environment: keep that inside the test.
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path / "base"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    shutil.copytree(SEEDS, folder)
    return folder


def _synthetic() -> FileResult:
    """A document carrying every kind of annotation a reporter shows."""
    text = "Title of the story\n\nThe defense Ministry said saidthat LIH fighters attacked. Second sentence here.\n"
    doc = Document.from_text(text, path="synthetic.txt")
    a = text.index("defense Ministry")
    b = text.index("saidthat")
    c = text.index("LIH")
    codes = [r.code for r in all_rules()]  # real codes: SARIF describes each rule it reports
    c1, c2, c3, c4 = (codes * 4)[:4]
    doc.findings = [
        Finding(c1, "style", Severity.WARNING, a, a + 16, text[a:a + 16], "calqued capitals", "Defense Ministry",
                Fix((Edit(a, a + 7, "Defense"),), Applicability.SAFE, "rules", None), {"rule": "capitals", "n": 1}),
        Finding(c2, "style", Severity.INFO, b, b + 8, text[b:b + 8], "glued words", "said that",
                Fix((Edit(b, b + 4, "said"), Edit(b + 4, b + 8, " that")), Applicability.UNSAFE, "both", 0.8125), {}),
        Finding(c3, "entity", Severity.ERROR, c, c + 3, "LIH", "transliterated acronym", "ISIL",
                Fix((Edit(c, c + 3, "ISIL"),), Applicability.DISPLAY, "rules", None), {"entry": {"en": "ISIL", "ru": ["ИГИЛ"]}}),
        Finding(c4, "syntax", Severity.ERROR, c, c + 3, "LIH", "no suggestion here"),
    ]
    doc.sentences[1].scores = {"quality": 0.2871234567, "lm_logprob": -4.25, "flags": ["a", "b"]}
    doc.sentences[1].rewrite = {
        "text": "The Defense Ministry said that ISIL fighters attacked.", "source": "both", "fix_score": 0.91,
        "accepted": True, "components": {"lm": 0.5, "sim": 0.93},
        "candidates": [{"text": "x", "source": "rules", "fix_score": 0.1, "components": {}}],
    }
    doc.sentences[2].scores = {"quality": 0.97}
    return FileResult(path="synthetic.txt", document=doc, extras={"json": {"timing": None}})


@pytest.mark.parametrize("fmt", FORMATS)
def test_synthetic_round_trip_renders_identically(fmt):
    fresh = _synthetic()
    blob = codec.encode_faithful(codec.annotations(fresh.document, fresh.extras))
    assert blob is not None
    restored = FileResult(path=fresh.path, document=Document.from_text(fresh.document.text, path=fresh.path))
    restored.extras.update(codec.apply_annotations(restored.document, codec.decode(blob)))
    scanner = Scanner(Settings(config=Config(), neural=False, parse=False))
    assert _render(fmt, [restored], scanner) == _render(fmt, [fresh], scanner)
    assert restored.document.findings == fresh.document.findings
    assert [s.scores for s in restored.document.sentences] == [s.scores for s in fresh.document.sentences]


@pytest.mark.parametrize("fmt", ("json", "concise", "html"))
def test_store_round_trip_renders_identically(tmp_path, fmt):
    """Through the store itself (saved, then restored onto a freshly read document): every
    sentence's scores and rewrite come back as they were, in place, each empty one a dict of its own."""
    from mtcheck.cache import ResultStore

    fresh = _synthetic()
    scanner = _rules_only(tmp_path)
    store = ResultStore(scanner.pipeline)
    store.save([fresh])
    restored = FileResult(path=fresh.path, document=Document.from_text(fresh.document.text, path=fresh.path))
    assert store.restore(restored)
    store.close()
    assert _render(fmt, [restored], scanner) == _render(fmt, [fresh], scanner)
    assert [s.scores for s in restored.document.sentences] == [s.scores for s in fresh.document.sentences]
    assert [s.rewrite for s in restored.document.sentences] == [s.rewrite for s in fresh.document.sentences]
    assert sum(s.rewrite is not None for s in fresh.document.sentences) == 1 and sum(map(bool, (s.scores for s in fresh.document.sentences))) == 2
    empty = [s.scores for s in restored.document.sentences if not s.scores]
    assert empty and len({id(d) for d in empty}) == len(empty)  # a dict of its own each


def test_payloads_come_back_with_their_types_or_are_not_cached():
    fresh = _synthetic()
    for data in ({"span": (1, 2)}, {1: "x"}, {"seen": {"a"}}, {}):  # JSON would give a list, a "1", nothing
        fresh.document.findings[0].data = data
        blob = codec.encode_faithful(codec.annotations(fresh.document))
        assert blob is not None
        back = codec.decode(blob)["findings"][0].get("data", {})
        assert back == data and [type(k) for k in back] == [type(k) for k in data]
        assert [type(v) for v in back.values()] == [type(v) for v in data.values()]
    numpy = pytest.importorskip("numpy")
    for data in ({"p": numpy.float64(0.5)}, {"p": numpy.arange(2)}, {"p": type("S", (str,), {})("x")}, {"p": object()}):
        fresh.document.findings[0].data = data  # what would come back as something else: not stored
        assert codec.encode_faithful(codec.annotations(fresh.document)) is None


def test_store_payload_without_sharing_comes_back_equal_and_cycles_are_not_stored():
    """The store writes documents without the pickler's memo: a dict two findings share comes
    back as two equal dicts (rendered the same), and a cyclic payload is left out, not mangled."""
    fresh = _synthetic()
    shared = {"entry": {"en": "ISIL", "ru": ["ИГИЛ"]}}
    fresh.document.findings[0].data = fresh.document.findings[1].data = shared
    payload = codec.annotations(fresh.document)
    back = codec.decode(codec.encode_faithful(payload, keep_sharing=False))
    assert back == payload
    assert back["findings"][0]["data"] == back["findings"][1]["data"] == shared
    assert back["findings"][0]["data"] is not back["findings"][1]["data"]
    with_memo = codec.decode(codec.encode_faithful(payload))
    assert with_memo["findings"][0]["data"] is with_memo["findings"][1]["data"]  # the default keeps sharing
    cyclic: dict = {}
    cyclic["self"] = cyclic
    fresh.document.findings[0].data = cyclic
    assert codec.encode_faithful(codec.annotations(fresh.document), keep_sharing=False) is None
    assert codec.decode(codec.encode_faithful(codec.annotations(fresh.document)))["findings"][0]["data"]["self"] is not None


def _variants() -> list[FileResult]:
    """The synthetic document, and copies with what the stored form must also carry: a fix of
    no edits and one of three, empty and falsy data, a plain-int severity, suppressed findings,
    scores that are not a dict, no findings at all; and the seeds with their rule rewrites."""
    out = [_synthetic()]
    r = _synthetic()
    doc = r.document
    f0, f1 = doc.findings[0], doc.findings[1]
    doc.findings += [
        Finding(f0.code, "style", Severity.INFO, f0.start, f0.end, f0.text, "no edits", None, Fix((), Applicability.SAFE), None),
        Finding(f1.code, "style", Severity.WARNING, f1.start, f1.end, f1.text, "three edits", "x",
                Fix((Edit(f1.start, f1.start + 1, "A"), Edit(f1.start + 2, f1.start + 3, ""), Edit(f1.end, f1.end, "!")),
                    Applicability.UNSAFE, "both", 0.5), {"k": (1, 2.0, True)}),
    ]
    doc.findings[2].data = {}
    doc.user_data[codec.SUPPRESSED] = [(f0, "noqa"), (f1, "per-file-ignores")]
    doc.sentences[0].scores = None
    out.append(r)
    empty = _synthetic()
    empty.document.findings = []
    out.append(empty)
    cfg = Config()
    scanner = Scanner(Settings(config=cfg, neural=False, parse=False, rewrite=True))
    out += list(scanner.scan([str(SEEDS)]))
    return out


def test_the_stored_form_puts_back_what_annotations_put_back():
    """The store keeps ``stored_annotations`` (findings in columns): restored onto a freshly
    segmented document it gives the annotations ``annotations``/``apply_annotations`` give, to
    the key order and the types, with each empty score dict its own."""
    seen_rewrites = 0
    for fresh in _variants():
        doc = fresh.document
        want_doc = Document.from_text(doc.text, path=doc.path)
        want_extras = codec.apply_annotations(want_doc, codec.decode(codec.encode(codec.annotations(doc, fresh.extras), keep_sharing=False)))
        got_doc = Document.from_text(doc.text, path=doc.path)
        got_extras = codec.apply_stored(got_doc, codec.decode(codec.encode(codec.stored_annotations(doc, fresh.extras), keep_sharing=False)))
        assert repr(codec.annotations(got_doc, got_extras)) == repr(codec.annotations(want_doc, want_extras))
        assert got_doc.findings == want_doc.findings  # (a data of None comes back {} in both)
        assert repr(got_doc.findings) == repr(want_doc.findings)
        for got, want in zip(got_doc.findings, want_doc.findings):
            assert [type(x) for x in vars(got).values()] == [type(x) for x in vars(want).values()]
            if want.fix is not None:
                assert list(vars(got.fix)) == list(vars(want.fix)) and type(got.fix.edits) is tuple
        assert repr(codec.suppressed(got_doc)) == repr(codec.suppressed(want_doc))
        empty = [s.scores for s in got_doc.sentences if s.scores == {}]
        assert len({id(d) for d in empty}) == len(empty)
        seen_rewrites += sum(s.rewrite is not None for s in got_doc.sentences)
    assert seen_rewrites > 10
    with pytest.raises(codec.MismatchError):  # the other form, or another segmentation, is refused
        codec.apply_stored(Document.from_text(_synthetic().document.text), codec.annotations(_synthetic().document))
    with pytest.raises(codec.MismatchError):
        codec.apply_stored(Document.from_text("One sentence only."), codec.stored_annotations(_synthetic().document))


def test_annotations_for_another_segmentation_are_refused():
    fresh = _synthetic()
    payload = codec.annotations(fresh.document)
    other = Document.from_text("One sentence only.", path="x.txt")
    with pytest.raises(codec.MismatchError):
        codec.apply_annotations(other, payload)


@pytest.mark.parametrize("fmt", FORMATS)
def test_warm_scan_of_seeds_is_served_from_cache_and_identical(tmp_path, corpus, fmt):
    cold = _rules_only(tmp_path)
    cold_results = list(cold.scan([str(corpus)]))
    assert cold.stats["analysed"] == 5 and cold.stats["cached"] == 0
    warm = _rules_only(tmp_path)
    warm_results = list(warm.scan([str(corpus)]))
    assert warm.stats["cached"] == 5 and warm.stats["analysed"] == 0
    plain = Scanner(Settings(config=Config(), neural=False, parse=False))
    plain_results = list(plain.scan([str(corpus)]))
    assert _render(fmt, warm_results, warm) == _render(fmt, cold_results, cold) == _render(fmt, plain_results, plain)
    assert sum(len(r.findings) for r in plain_results) > 0, "the seeds should give findings to compare"


def test_cli_cold_and_warm_output_is_byte_identical(tmp_path, corpus):
    runner = CliRunner()
    args = ["scan", str(corpus), "--no-neural", "--format", "json", "--cache-dir", str(tmp_path / "c")]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)
    uncached = runner.invoke(cli, args[:-2] + ["--no-cache"])
    assert first.exit_code == second.exit_code == uncached.exit_code
    assert first.exit_code in (0, 1), first.output
    assert first.stdout == second.stdout == uncached.stdout
    assert json.loads(first.stdout)["summary"]["files_scanned"] == 5
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", str(tmp_path / "c")])
    assert info.exit_code == 0 and "documents: 5" in info.output


def test_edited_story_and_changed_settings_are_analysed_afresh(tmp_path, corpus):
    list(_rules_only(tmp_path).scan([str(corpus)]))
    story = sorted(corpus.glob("*.txt"))[2]
    story.write_text(story.read_text(encoding="utf-8") + "\nThe defense Ministry added one more line.\n", encoding="utf-8")
    again = _rules_only(tmp_path)
    results = list(again.scan([str(corpus)]))
    assert again.stats["analysed"] == 1 and again.stats["cached"] == 4
    edited = next(r for r in results if r.path == str(story))
    assert edited.document.text.endswith("one more line.\n")
    for f in edited.findings:
        assert edited.document.text[f.start:f.end] == f.text

    narrower = Scanner(Settings(config=Config(ignore=["style"]), neural=False, parse=False, cache=True, cache_dir=str(tmp_path / "cache")))
    assert narrower.pipeline.key() != again.pipeline.key()
    results = list(narrower.scan([str(corpus)]))
    assert narrower.stats["analysed"] == 5
    assert not any(f.category == "style" for r in results for f in r.findings)


def test_user_gazetteer_content_is_part_of_the_key(tmp_path):
    gaz = tmp_path / "extra.toml"
    gaz.write_text("# one version\n", encoding="utf-8")
    first = Scanner(Settings(config=Config(gazetteer=[str(gaz)]), neural=False, parse=False)).pipeline.key()
    gaz.write_text("# another version\n", encoding="utf-8")
    second = Scanner(Settings(config=Config(gazetteer=[str(gaz)]), neural=False, parse=False)).pipeline.key()
    assert first != second


def test_sentence_entries_fill_unchanged_sentences_only(tmp_path):
    scanner = Scanner(Settings(config=Config(), neural=True, parse=False, cache=True, cache_dir=str(tmp_path / "cache")))
    text = "A first sentence here. A second sentence here. A third sentence here.\n"
    doc = Document.from_text(text, path="a.txt")
    for i, s in enumerate(doc.sentences):  # what the neural stage left on each sentence
        s.scores = {"quality": 0.5 + i / 10, "lm_logprob": -3.0 - i}
    doc.sentences[0].rewrite = {"text": "x"}  # document-dependent: not a sentence entry
    store = ResultStore(scanner.pipeline)
    store.save([FileResult(path="a.txt", document=doc)])

    edited = Document.from_text(text.replace("second", "changed"), path="b.txt")
    store = ResultStore(scanner.pipeline)
    assert store.prefill([edited]) == 2
    assert edited.sentences[0].scores == {"quality": 0.5, "lm_logprob": -3.0}
    assert edited.sentences[1].scores == {}
    assert edited.sentences[2].scores == {"quality": 0.7, "lm_logprob": -5.0}
    store.close()

    rules_only = Scanner(Settings(config=Config(), neural=False, parse=False, cache=True, cache_dir=str(tmp_path / "cache")))
    assert ResultStore(rules_only.pipeline).prefill([Document.from_text(text)]) == 0


def _writer(args):
    path, worker, n = args
    cache = ResultCache(path, on_error=lambda m: (_ for _ in ()).throw(AssertionError(m)))
    for i in range(n):
        key = f"{worker}-{i}".encode().ljust(32, b".")
        cache.put_many([(key, codec.encode({"w": worker, "i": i}))], [(key, b"s")])
        assert cache.get("documents", [key])  # read back while the others write
    cache.close()
    return n


def test_concurrent_processes_share_the_cache(tmp_path):
    path = db_path(tmp_path / "shared")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert sum(pool.map(_writer, [(str(path), w, 60) for w in range(4)])) == 240
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 240
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_unreadable_cache_file_warns_once_and_scan_goes_on(tmp_path, corpus):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "results.sqlite").write_bytes(b"this is not a database" * 100)
    runner = CliRunner()
    res = runner.invoke(cli, ["scan", str(corpus), "--no-neural", "--format", "json", "--cache-dir", str(folder)])
    plain = runner.invoke(cli, ["scan", str(corpus), "--no-neural", "--format", "json", "--no-cache"])
    assert res.exit_code == plain.exit_code and res.stdout == plain.stdout
    warnings = [line for line in res.stderr.splitlines() if "result cache" in line]
    assert len(warnings) == 1 and "cache clear" in warnings[0]

    info = runner.invoke(cli, ["cache", "info", "--cache-dir", str(folder)])
    assert info.exit_code == 2 and "Traceback" not in info.output
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", str(folder)])
    assert cleared.exit_code == 0 and "removed unreadable" in cleared.output
    assert not (folder / "results.sqlite").exists()


def test_cache_clear_empties_it(tmp_path, corpus):
    runner = CliRunner()
    c = str(tmp_path / "c")
    runner.invoke(cli, ["scan", str(corpus), "--no-neural", "--cache-dir", c])
    out = runner.invoke(cli, ["cache", "clear", "--cache-dir", c])
    assert out.exit_code == 0 and "cleared 5 entries" in out.output
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", c])
    assert "documents: 0" in info.output
    scanner = _rules_only(tmp_path, cache_dir=c)
    list(scanner.scan([str(corpus)]))
    assert scanner.stats["analysed"] == 5


@pytest.mark.slow
def test_edited_story_rescores_only_the_changed_sentence(tmp_path, monkeypatch, cache_folder):
    """Real fluency model: the second scan of an edited story sends only the edited sentence
    to the model; the others get their scores from the sentence entries."""
    if USER_CACHE_BASE is None:  # the model conversion stays where the user keeps it
        monkeypatch.delenv("MTCHECK_CACHE_DIR", raising=False)
    else:
        monkeypatch.setenv("MTCHECK_CACHE_DIR", USER_CACHE_BASE)
    from mtcheck import quality

    scored: list[list[str]] = []
    real_lm_scores = quality.lm_scores

    def spy(texts):  # every sentence the language model reads goes through here
        scored.append(list(texts))
        return real_lm_scores(texts)

    monkeypatch.setattr(quality, "lm_scores", spy)
    story = tmp_path / "story.txt"
    sentences = [
        "The ministry said the talks would resume next week.",
        "Russian soldiers in the area of the settlement was seen yesterday.",
        "Officials declined to comment on the report.",
        "The agency cited a source in the security services.",
    ]
    story.write_text(" ".join(sentences) + "\n", encoding="utf-8")

    def scan() -> tuple[Scanner, FileResult]:
        scanner = Scanner(Settings(config=Config(), neural=True, parse=False, cache=True, cache_dir=cache_folder))
        return scanner, list(scanner.scan([str(story)]))[0]

    _, first = scan()
    assert [s.text for s in first.document.sentences] == sentences
    assert sum(len(t) for t in scored) == 4
    edited = sentences[:2] + ["Officials refused to comment on that report."] + sentences[3:]
    story.write_text(" ".join(edited) + "\n", encoding="utf-8")
    scored.clear()
    scanner, second = scan()
    assert scored == [[edited[2]]]
    assert scanner.stats["sentences_cached"] == 3 and scanner.stats["analysed"] == 1
    before = [s.scores["quality"] for s in first.document.sentences]
    after = [s.scores["quality"] for s in second.document.sentences]
    assert after[:2] == before[:2] and after[3] == before[3]
    assert 0.0 <= after[2] <= 1.0

    scored.clear()
    fresh = list(Scanner(Settings(config=Config(), neural=True, parse=False)).scan([str(story)]))[0]
    assert sum(len(t) for t in scored) == 4
    # Scored alone or in a batch of four: the same up to the noise of the padded batch. The
    # default int8 path rounds differently for other batch shapes (up to about 0.025 in
    # quality; float32 stays under 0.002), see models/QUALITY_CARD.md.
    tolerance = 2e-3 if os.environ.get("MTCHECK_FLUENCY_QUANTIZE", "int8").lower() == "none" else 0.03
    assert max(abs(s.scores["quality"] - q) for s, q in zip(fresh.document.sentences, after)) < tolerance
    assert fresh.document.findings == second.document.findings
