"""Rewrites: protection of names, numbers, dates and quotes; back-translation through real
(tiny, locally built) Marian models loaded by hub id offline and by path; n-best handling;
the CTranslate2 backend; ``annotate_rewrites`` and ``scan --rewrite`` end to end.

The tiny models (tests/marian_fixture.py) make no claim of translation quality: they were
fitted for a few seconds to six sentence pairs so that round trips are predictable, and a
random-weight model stands in for a translator producing garbage. Fix scores come from the
real scorers (SmolLM2 quality, MiniLM), in the tests marked slow.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import marian_fixture as mf
import pytest
from click.testing import CliRunner

from mtcheck.cli import cli
from mtcheck.config import Config
from mtcheck.document import Document
from mtcheck.findings import Finding, Severity, replacement_fix
from mtcheck.rewrite import protect
from mtcheck.rewrite.candidates import backtranslation_candidates, build_target, rule_candidate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> mf.TinyModels:
    return mf.session_models(tmp_path_factory)


@pytest.fixture
def hub(tiny, monkeypatch):
    """The tiny models' hub cache as the Hugging Face cache, offline."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny.cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for var in ("MTCHECK_TRANSLATOR_EN_RU", "MTCHECK_TRANSLATOR_RU_EN"):
        monkeypatch.delenv(var, raising=False)
    return tiny


def finding(doc: Document, span: str, category: str, suggestion: str | None = None, safe: bool = True, nth: int = 0) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(span, start + 1)
    end = start + len(span)
    fix = replacement_fix(start, end, suggestion, safe=safe) if suggestion is not None else None
    return Finding(code={"entity": "E101", "style": "S101", "syntax": "X999"}[category], category=category,
                   severity=Severity.WARNING, start=start, end=end, text=span, message="test finding",
                   suggestion=suggestion, fix=fix)


def flag(doc: Document, index: int) -> Finding:
    s = doc.sentences[index]
    return Finding(code="X999", category="syntax", severity=Severity.WARNING, start=s.start, end=s.end,
                   text=s.text, message="likely machine-translation damage")


def story_doc() -> Document:
    doc = Document.from_text(mf.STORY, path="story.txt")
    doc.findings = [finding(doc, "LIH", "entity", "ISIL")] + [flag(doc, i) for i in (1, 2, 3, 4)]
    doc.findings.sort(key=Finding.sort_key)
    return doc


# -- protection (no models) -------------------------------------------------------------------


def test_mask_and_unmask_round_trip():
    text = 'ISIL said "we will not leave" near Deir ez-Zor.'
    items = protect.merge_protected([protect.Protected(0, 4, "ISIL", "name")], text)
    masked, mapping = protect.mask(text, items)
    assert masked == "XZ1 said XZ2 near Deir ez-Zor."
    assert mapping == {"XZ1": "ISIL", "XZ2": '"we will not leave"'}
    assert protect.unmask("According to XZ1, XZ2 was said.", mapping) == ('According to ISIL, "we will not leave" was said.', None)
    assert protect.unmask("XZ1 said it.", mapping)[1] == "dropped '\"we will not leave\"'"
    assert protect.unmask("XZ1 XZ1 said XZ2.", mapping)[1] == "repeated 'ISIL'"
    assert protect.unmask("XZ1 said XZ2 XZ7.", mapping)[1] == "invented placeholder XZ7"


def test_text_with_placeholder_like_tokens_is_never_masked():
    text = "The XZ1 drone hit ISIL."
    assert protect.mask(text, [protect.Protected(18, 22, "ISIL", "name")]) == (text, {})


def test_numbers_dates_and_quotes_are_checked():
    expected = "On 8 Feb. ISIL fighters attacked 4,576 positions, “a massacre”, he said."
    prot = [protect.Protected(0, 0, "ISIL", "name"), protect.Protected(0, 0, "“a massacre”", "quote")]
    ok = "On 8 February, ISIL fighters attacked 4576 positions, “a massacre”, he said."
    assert protect.violations(ok, expected, prot) == []
    assert protect.violations(ok.replace("4576", "4,567"), expected, prot) == ["number 4576 dropped or changed"]
    assert protect.violations(ok.replace("4576 ", ""), expected, prot) == ["number 4576 dropped or changed"]
    assert protect.violations(ok.replace("February", "March"), expected, prot) == ["date changed"]
    assert protect.violations(ok.replace("ISIL", "IS"), expected, prot) == ["name 'ISIL' not kept"]
    assert protect.violations(ok.replace("a massacre", "a slaughter"), expected, prot) == ["quoted material '“a massacre”' not kept"]
    assert protect.violations(ok + " 12 died.", expected, prot) == ["number 12 added"]


def test_quoted_spans_cover_open_and_unclosed_quotes():
    assert protect.quoted_spans("He said «no way» and left.") == [(8, 16)]
    assert protect.quoted_spans("“The cause of the incident were unclear, — he said") == [(0, 50)]
    assert protect.quoted_spans("unclear”, — said the ministry.") == [(0, 8)]
    assert protect.quoted_spans("A 5\"3 board.") == []


def test_build_target_applies_rule_fixes_and_protects_resolved_names():
    doc = Document.from_text("The defense Ministry said LIH and Medusa reported 25 dead.\n")
    doc.findings = [
        finding(doc, "defense Ministry", "style", "Defense Ministry"),
        finding(doc, "LIH", "entity", "ISIL"),
        finding(doc, "Medusa", "entity", "Meduza", safe=False),  # unresolved: kept as written
    ]
    t = build_target(doc, doc.sentences[0], flagged=True)
    assert t.fixed == "The Defense Ministry said ISIL and Medusa reported 25 dead."
    assert [(p.text, p.kind) for p in t.protected] == [("ISIL", "name"), ("Medusa", "name")]
    assert all(t.fixed[p.start:p.end] == p.text for p in t.protected)
    assert rule_candidate(t).text == t.fixed and rule_candidate(t).source == "rules"
    unsafe = build_target(doc, doc.sentences[0], flagged=True, unsafe=True)
    assert unsafe.fixed == "The Defense Ministry said ISIL and Meduza reported 25 dead."
    assert [p.text for p in unsafe.protected] == ["ISIL", "Meduza"]



@pytest.mark.parametrize("replacement", ["Islamic State group", "IS", ""])
def test_build_target_with_one_fix_shifts_what_follows_it(replacement):
    # One edit is spliced in directly (not through apply_edits_mapped): an unresolved name
    # after it, before it, and the quote around it must land where the fixed text has them.
    doc = Document.from_text('Medusa wrote "LIH attacked" and Kadyrovtsy answered.\n')
    doc.findings = [
        finding(doc, "Medusa", "entity", "Meduza", safe=False),
        finding(doc, "LIH", "entity", replacement),
        finding(doc, "Kadyrovtsy", "entity", "Kadyrovites", safe=False),
    ]
    t = build_target(doc, doc.sentences[0], flagged=True)
    assert t.fixed == f'Medusa wrote "{replacement} attacked" and Kadyrovtsy answered.'
    assert [p.text for p in t.protected] == ["Medusa", f'"{replacement} attacked"', "Kadyrovtsy"]
    assert all(t.fixed[p.start:p.end] == p.text for p in t.protected)
    assert t.rule_findings == [doc.findings[1]]


def test_rewrites_with_no_neural_are_rule_fixes_scored_lexically():
    from mtcheck.rewrite import annotate_rewrites

    doc = Document.from_text("Militants of LIH attacked.\n\nThe weather was fine.\n")
    doc.findings = [finding(doc, "LIH", "entity", "ISIL"), flag(doc, 1)]
    notices = []
    run = annotate_rewrites([doc], Config(), neural=False, notify=notices.append)
    assert run.formula == "lexical" and not run.backtranslation and notices == []
    rw = doc.sentences[0].rewrite
    assert rw["text"] == "Militants of ISIL attacked." and rw["source"] == "rules"
    assert 0.0 <= rw["fix_score"] <= 1.0 and rw["components"]["formula"] == "lexical"
    assert rw["accepted"] == (rw["fix_score"] >= rw["components"]["threshold"])
    # a flagged sentence with neither a rule fix nor a translator has nothing to propose
    assert "rewrite" not in doc.sentences[1].scores


def test_safe_rule_fixes_need_only_the_low_bar_unsafe_ones_the_calibrated_one():
    from mtcheck.rewrite import SAFE_RULES_BAR, annotate_rewrites

    def run(unsafe: bool) -> dict:
        doc = Document.from_text("Militants of LIH attacked Medusa.\n")
        doc.findings = [finding(doc, "LIH", "entity", "ISIL"), finding(doc, "Medusa", "entity", "Meduza", safe=False)]
        cfg = Config(unsafe_fixes=unsafe, sections={"rewrite": {"threshold": 0.99}})
        annotate_rewrites([doc], cfg, neural=False, notify=lambda m: None)
        return doc.sentences[0].rewrite

    safe = run(False)
    assert safe["text"] == "Militants of ISIL attacked Medusa." and safe["components"]["bar"] == "safe rule fixes"
    assert safe["components"]["threshold"] == SAFE_RULES_BAR and SAFE_RULES_BAR <= safe["fix_score"] < 0.99
    assert safe["accepted"]
    unsafe = run(True)
    assert unsafe["text"] == "Militants of ISIL attacked Meduza." and unsafe["components"]["bar"] == "calibrated"
    assert unsafe["components"]["threshold"] == 0.99 and not unsafe["accepted"]


@pytest.mark.parametrize("unsafe,threshold", [(False, None), (True, None), (True, 0.99)])
def test_rule_rewrites_without_models_are_those_of_the_general_path(unsafe, threshold):
    """``--no-neural`` makes each record directly (``_annotate_rule_rewrites``): the same records,
    the same fix scores on the findings and the same counts as a Target and its rule candidate
    scored the general way, on the seeds and on text with several fixes per sentence, overlapping
    fixes, boilerplate and flagged sentences."""
    from mtcheck import codec, rewrite
    from mtcheck.pipeline import Pipeline
    from mtcheck.settings import Settings

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    text += "\n\nMilitants of LIH and SDS attacked Medusa in may 2017, saidthat the defense Ministry.\n"
    text += "\nThe weather was fine.\n\nAccept cookies\n"
    pipeline = Pipeline(Settings(neural=False, parse=False, rewrite=False))
    sections = {"rewrite": {"threshold": threshold}} if threshold is not None else {}
    cfg = Config(unsafe_fixes=unsafe, sections=sections)
    direct, general = Document.from_text(text), Document.from_text(text)
    pipeline.rules.run([direct, general])
    extra = [finding(d, "Militants of LIH", "entity", "Fighters of ISIL", safe=False) for d in (direct, general)]
    for d, f in zip((direct, general), extra):  # a fix overlapping the rules' own
        d.findings = sorted([*d.findings, f], key=Finding.sort_key)
        d.findings.append(flag(d, len(d.sentences) - 2))
    made = rewrite.annotate_rewrites([direct], cfg, neural=False, repairs=False, notify=lambda m: None)
    run = rewrite.RewriteRun()
    rewrite._annotate_targets([general], cfg, rewrite.Settings.from_config(cfg), False, lambda m: None, False, run)
    assert made.targets > 10 and made.accepted > 5
    assert made == run
    assert repr(codec.annotations(direct)) == repr(codec.annotations(general))  # key order and types too


# -- translators (tiny models) ----------------------------------------------------------------

def test_translator_loads_by_hub_id_offline_and_by_path(hub):
    from mtcheck.neural.translate import TranslatorSpec, load_translator, locate

    assert locate(hub.en_ru_id) == hub.en_ru_dir
    by_id = load_translator(TranslatorSpec("en-ru", hub.en_ru_id, "config"))
    by_path = load_translator(TranslatorSpec("en-ru", str(hub.en_ru_dir), "config"))
    assert by_id is by_path  # one model per process, however it is named
    assert by_id.backend == "transformers"
    out = by_id.translate([mf.PAIRS[3][0]], num_return=1)
    assert "100" in out[0][0].text  # the trained pair comes through (not a quality claim)


def test_missing_model_fails_fast_and_says_why(tiny, tmp_path, monkeypatch):
    from mtcheck.neural.translate import TranslatorSpec, TranslatorUnavailable, load_translator

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # even online, a scan must not wait on the network
    start = time.monotonic()
    with pytest.raises(TranslatorUnavailable, match="not in the local Hugging Face cache"):
        load_translator(TranslatorSpec("en-ru", "Helsinki-NLP/opus-mt-en-ru", "default"))
    with pytest.raises(TranslatorUnavailable, match="does not exist"):
        load_translator(TranslatorSpec("en-ru", str(tmp_path / "no-such-dir"), "config"))
    assert time.monotonic() - start < 5


def test_n_best_lists_are_per_input_distinct_and_ordered(hub):
    from mtcheck.neural.translate import TranslatorSpec, load_translator

    ru_en = load_translator(TranslatorSpec("ru-en", hub.ru_en_id, "config"))
    russian = [p[1] for p in mf.PAIRS]
    out = ru_en.translate(russian, num_return=3, beam_size=4, batch_size=4)  # two batches, sorted by length
    assert len(out) == len(russian)
    for hyps, (_, _, english) in zip(out, mf.PAIRS):
        assert len(hyps) == 3
        assert len({h.text for h in hyps}) == 3
        assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
    # results come back in input order: most best hypotheses are the trained targets
    assert sum(hyps[0].text == english for hyps, (_, _, english) in zip(out, mf.PAIRS)) >= 4


def test_resolution_order_flag_config_env_default(monkeypatch):
    from mtcheck.neural.translate import resolve_spec

    monkeypatch.delenv("MTCHECK_TRANSLATOR_EN_RU", raising=False)
    assert resolve_spec("en-ru").ref == "Helsinki-NLP/opus-mt-en-ru"
    assert resolve_spec("en-ru").origin == "default"
    monkeypatch.setenv("MTCHECK_TRANSLATOR_EN_RU", "/models/en-ru")
    assert (resolve_spec("en-ru").ref, resolve_spec("en-ru").origin) == ("/models/en-ru", "env")
    cfg = Config(sections={"translation": {"en-ru": "org/other", "backend": "ctranslate2"}})
    spec = resolve_spec("en-ru", cfg)
    assert (spec.ref, spec.origin, spec.backend) == ("org/other", "config", "ctranslate2")


@pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")
def test_ctranslate2_backend_matches_transformers(hub, tmp_path):
    pytest.importorskip("ctranslate2")
    from ctranslate2.converters import TransformersConverter

    from mtcheck.neural.translate import TranslatorSpec, load_translator

    out = tmp_path / "ct2-en-ru"
    TransformersConverter(str(hub.en_ru_dir), copy_files=["source.spm", "target.spm", "vocab.json", "tokenizer_config.json"]).convert(str(out))
    ct2 = load_translator(TranslatorSpec("en-ru", str(out), "config"))
    hf = load_translator(TranslatorSpec("en-ru", hub.en_ru_id, "config"))
    assert ct2.backend == "ctranslate2"
    english = [p[0] for p in mf.PAIRS]
    a, b = ct2.translate(english, num_return=2), hf.translate(english, num_return=2)
    assert all(len(h) == 2 for h in a)
    assert sum(x[0].text == y[0].text for x, y in zip(a, b)) >= 5


def test_translation_status_reports_cache_presence(hub, tmp_path):
    from mtcheck.neural.translate import translation_status

    cfg = Config(sections={"translation": {"en-ru": hub.en_ru_id, "ru-en": "local/not-there"}})
    en_ru, ru_en = translation_status(cfg)
    assert en_ru["role"] == "translate-en-ru" and en_ru["ready"] and en_ru["size_bytes"] > 10_000
    assert en_ru["path"] == str(hub.en_ru_dir) and en_ru["origin"] == "config"
    assert not ru_en["ready"] and "mtcheck models pull" in ru_en["reason"]


def test_pull_command_offline(hub):
    from mtcheck.cli.models_cmd import pull as pull_command

    ok = CliRunner().invoke(pull_command, ["--translator-en-ru", hub.en_ru_id, "--translator-ru-en", str(hub.ru_en_dir)])
    # offline, a cached repo is "downloaded" from the cache; a local directory needs nothing
    assert ok.exit_code == 0, ok.output
    assert "ready at" in ok.stderr and "local directory (present)" in ok.stderr
    bad = CliRunner().invoke(pull_command, ["--translator-en-ru", "local/not-there", "--translator-ru-en", str(hub.ru_en_dir)])
    assert bad.exit_code == 2
    errors = [line for line in bad.stderr.splitlines() if line.startswith("mtcheck: error:")]
    assert len(errors) == 1 and "local/not-there" in errors[0]
    assert "Traceback" not in bad.output


# -- back-translation candidates --------------------------------------------------------------


class Recording:
    """A real translator whose inputs are recorded."""

    def __init__(self, translator):
        self.translator, self.inputs = translator, []

    def translate(self, texts, **kw):
        self.inputs.extend(texts)
        return self.translator.translate(texts, **kw)


def test_backtranslation_protects_names_and_numbers(hub):
    from mtcheck.neural.translate import TranslatorSpec, load_translator

    doc = story_doc()
    targets = [build_target(doc, doc.sentences[i], flagged=True) for i in (1, 2, 4)]
    en_ru = Recording(load_translator(TranslatorSpec("en-ru", hub.en_ru_id, "config")))
    ru_en = load_translator(TranslatorSpec("ru-en", hub.ru_en_id, "config"))
    lih, defense, village = backtranslation_candidates(targets, en_ru, ru_en, num_candidates=3, beam_size=4)

    # the name went out as a placeholder (masked route) and as its standard form (plain route)
    assert "XZ1 fighters attacked 25 positions near Deir ez-Zor." in en_ru.inputs
    assert not any("LIH" in text for text in en_ru.inputs)
    kept = [c for c in lih if not c.rejected]
    assert "ISIL fighters attacked 25 positions near Deir ez-Zor." in [c.text for c in kept]
    assert all("ISIL" in c.text and "25" in c.text and "LIH" not in c.text for c in kept)
    assert all(c.source == "both" for c in lih)  # carries the rule fix LIH -> ISIL
    assert any(c.rejected and ("repeated" in c.rejected or "not kept" in c.rejected or "dropped" in c.rejected) for c in lih)

    assert defense[0].text == "The Defense Ministry said 25 Syrian militiamen were wounded in the shelling."
    assert defense[0].rejected is None and defense[0].source == "backtranslation"

    # the trained round trip loses "100": never a rewrite
    dropped = [c for c in village if c.text == "The coalition struck fighters near the village of Salhiyah."]
    assert dropped and dropped[0].rejected == "number 100 dropped or changed"
    assert all(c.rejected for c in village if "100" not in c.text)
    # n-best: distinct candidates, valid ones first
    for cands in (lih, defense, village):
        assert len({c.text for c in cands}) == len(cands) > 1
        flags = [c.rejected is not None for c in cands]
        assert flags == sorted(flags)


# -- end to end with the real scorers (slow) -------------------------------------------------


@pytest.mark.slow
def test_annotate_rewrites_end_to_end(hub):
    from mtcheck.rewrite import annotate_rewrites

    doc = story_doc()
    cfg = Config(sections={"translation": {"en-ru": hub.en_ru_id, "ru-en": str(hub.ru_en_dir), "num-candidates": 3}})
    notices = []
    run = annotate_rewrites([doc], cfg, neural=True, notify=notices.append)
    assert run.backtranslation and run.formula == "neural" and notices == []
    s = doc.sentences
    lih = s[1].rewrite
    assert lih["text"] == "ISIL fighters attacked 25 positions near Deir ez-Zor."
    assert lih["source"] in ("rules", "both") and lih["accepted"]
    assert {"fluency_gain", "cosine", "chrf", "entity_kept", "number_kept"} <= set(lih["components"])

    village = s[4].rewrite
    assert not village["accepted"]
    assert any(c["components"].get("rejected") == "number 100 dropped or changed" for c in village["candidates"])
    assert all(c["fix_score"] == 0.0 for c in village["candidates"] if "rejected" in c["components"])

    defense = s[2].rewrite
    best = defense["candidates"][0]
    assert best["text"] == "The Defense Ministry said 25 Syrian militiamen were wounded in the shelling."
    assert best["components"]["fluency_gain"] > 0  # the fluent sentence scores as more fluent
    for rec in (lih, village, defense):
        scores = [c["fix_score"] for c in rec["candidates"]]
        assert all(0.0 <= x <= 1.0 for x in scores) and rec["fix_score"] in scores
        assert rec["accepted"] == (rec["fix_score"] >= rec["components"]["threshold"])
        if not rec["accepted"]:
            assert rec["fix_score"] == max(scores)


@pytest.mark.slow
def test_garbage_candidates_are_refused(hub):
    from mtcheck.rewrite import annotate_rewrites

    cfg = Config(sections={"translation": {"en-ru": hub.en_ru_id, "ru-en": hub.random_ru_en_id, "num-candidates": 3}})
    # Without the offline repairs (tests/test_repairs.py), so that only back-translations compete.
    doc = story_doc()
    annotate_rewrites([doc], cfg, neural=True, notify=lambda m: None, repairs=False)
    rw = doc.sentences[3].rewrite  # flagged, no rule fix: only (garbage) back-translations
    # The bare "no" is a negation: garbage that drops it never reaches the scorer.
    assert not rw["accepted"] and any(c["components"].get("rejected") == "negation dropped or added" for c in rw["candidates"])
    # A sentence with nothing protected (no name, number, date or negation): the scorer refuses it.
    doc = Document.from_text("The militants attacked the positions near the village.\n")
    doc.findings = [flag(doc, 0)]
    annotate_rewrites([doc], cfg, neural=True, notify=lambda m: None, repairs=False)
    rw = doc.sentences[0].rewrite
    scored = [c for c in rw["candidates"] if "rejected" not in c["components"]]
    assert scored, "the random model's output should reach the scorer"
    assert not rw["accepted"] and rw["fix_score"] < rw["components"]["threshold"]
    assert all(c["fix_score"] < rw["components"]["threshold"] for c in rw["candidates"])


@pytest.mark.slow
def test_scan_rewrite_without_translation_models(tmp_path, monkeypatch):
    import mtcheck.rewrite as rewrite

    monkeypatch.setattr(rewrite, "_notified", set())
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    for var in ("MTCHECK_TRANSLATOR_EN_RU", "MTCHECK_TRANSLATOR_RU_EN"):
        monkeypatch.delenv(var, raising=False)
    story = tmp_path / "003_ffa3510338295b69.txt"  # one seed keeps the test fast; the CLI run covers all
    story.write_bytes((SEEDS / story.name).read_bytes())
    result = CliRunner().invoke(cli, ["scan", "--rewrite", "--no-cache", "--format", "json", "--fail-on", "never", str(story)])
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if "back-translation is off" in line]
    assert len(notices) == 1 and "mtcheck models pull" in notices[0]
    report = json.loads(result.stdout)
    seed3 = report["files"][0]
    lih = [f for f in seed3["findings"] if f["text"] == "LIH"]
    assert lih and all(f["suggestion"] == "ISIL" for f in lih)
    rewrites = [s["rewrite"] for s in seed3["sentences"] if "LIH" in s["text"]]
    # No translation model: every candidate is the rule fixes or an offline repair (a sentence the
    # syntax rules flag, "... LIH” — said in a statement", also gets repair candidates), never a back-translation.
    assert rewrites and all("ISIL" in rw["text"] and "LIH" not in rw["text"] and rw["source"] in ("rules", "repairs") for rw in rewrites)
    assert all(0.0 < rw["fix_score"] <= 1.0 for rw in rewrites)
    assert all(c["source"] in ("rules", "repairs") for rw in rewrites for c in rw["candidates"])


@pytest.mark.slow
def test_rewrites_from_the_result_cache_still_say_back_translation_is_off(tmp_path, monkeypatch, capsys, cache_folder):
    import mtcheck.rewrite as rewrite
    from mtcheck.engine import Scanner
    from mtcheck.settings import Settings

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    for var in ("MTCHECK_TRANSLATOR_EN_RU", "MTCHECK_TRANSLATOR_RU_EN"):
        monkeypatch.delenv(var, raising=False)
    story = tmp_path / "002_4226bccabad467d5.txt"
    # a seed story and a sentence X201 flags without the parse (a flagged sentence gets a rewrite)
    story.write_bytes((SEEDS / story.name).read_bytes() + b"\n\nBy Russia supported forces in Deir ezzor to those US support came close.\n")
    options = Settings(rewrite=True, neural=True, parse=False, cache=True, cache_dir=cache_folder)
    for run in ("fresh", "from the cache"):
        monkeypatch.setattr(rewrite, "_notified", set())  # a new process
        scanner = Scanner(options)
        [result] = scanner.scan([str(story)])
        notices = [line for line in capsys.readouterr().err.splitlines() if "back-translation is off" in line]
        assert len(notices) == 1 and "mtcheck models pull" in notices[0], run
        assert any(s.rewrite is not None for s in result.document.sentences), run
    assert scanner.stats["cached"] == 1 and scanner.stats["analysed"] == 0


def test_text_output_shows_each_rewrite_under_its_sentences_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    story = tmp_path / "003_ffa3510338295b69.txt"
    story.write_bytes((SEEDS / story.name).read_bytes())
    result = CliRunner().invoke(cli, ["scan", "--rewrite", "--no-neural", "--no-cache", "--fail-on", "never", str(story)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Line 3 holds one sentence with four findings, "LIH" (col 236) the last: its rewrite follows
    # that finding, before the findings of the lines after it.
    e101 = lines.index(next(line for line in lines if line.startswith(f"{story}:3:236: E101 ")))
    rewrite = lines[e101 + 1]
    assert rewrite.startswith(f"{story}:3:1: rewrite (rules, fix score ")
    assert "ISIL" in rewrite and "LIH" not in rewrite and "UN Security Council" in rewrite
    assert lines[e101 + 2].startswith(f"{story}:7:19: S101 ")
    assert sum(": rewrite (" in line for line in lines) >= 5 and lines[-1].endswith("sentences flagged.")


@pytest.mark.slow
def test_scan_rewrite_with_tiny_models_by_flag(hub, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(mf.STORY, encoding="utf-8")
    result = CliRunner().invoke(cli, [
        "scan", "--rewrite", "--no-cache", "--format", "json", "--fail-on", "never",
        "--translator-en-ru", hub.en_ru_id, "--translator-ru-en", str(hub.ru_en_dir), str(story),
    ])
    assert result.exit_code == 0, result.output
    assert "back-translation is off" not in result.stderr
    sentences = json.loads(result.stdout)["files"][0]["sentences"]
    lih = next(s for s in sentences if s["text"].startswith("LIH"))
    assert "ISIL" in lih["rewrite"]["text"] and "LIH" not in lih["rewrite"]["text"]
    flagged = [s for s in sentences if s["flagged"]]
    assert flagged, "the story's broken sentences should be flagged by the syntax rules"
    for s in flagged:
        assert any(c["source"] in ("backtranslation", "both") for c in s["rewrite"]["candidates"])


def test_rule_fixed_text_is_rule_fixed_without_the_mapping():
    """The rule-only rewrites take the fixed text from ``rule_fixed_text``: the same text and
    findings as ``rule_fixed`` for one fix, several, a fix of two edits, an edit reaching out of
    the sentence, a boilerplate deletion, an unsafe fix (with and without --unsafe-fixes)."""
    from mtcheck.findings import Edit, Fix
    from mtcheck.rewrite.candidates import rule_fixed, rule_fixed_text

    doc = Document.from_text("The LIH fighters attacked Deir Ezzor. Like this: the SDS said no.\n", path="x.txt")
    first, second = doc.sentences[0], doc.sentences[1]

    def finding(start, end, replacement, category="entity", safe=True):
        return Finding("E101", category, Severity.WARNING, start, end, doc.text[start:end], "m", replacement,
                       replacement_fix(start, end, replacement, safe=safe))

    lih = finding(4, 7, "ISIL")
    deir = finding(26, 36, "Deir ez-Zor")
    two_edits = Finding("E101", "entity", Severity.WARNING, 4, 36, doc.text[4:36], "m", None,
                        Fix((Edit(4, 7, "ISIL"), Edit(26, 36, "Deir ez-Zor"))))
    outside = finding(30, second.start + 4, "x")
    junk = finding(second.start, second.start + 10, "", category="boilerplate")
    unsafe = finding(second.start + 15, second.start + 18, "SDF", safe=False)
    cases = [(first, [lih]), (first, [lih, deir]), (first, [two_edits]), (first, [outside]), (first, [outside, lih]),
             (second, [junk]), (second, [junk, unsafe]), (second, [unsafe]), (first, [])]
    for sentence, findings in cases:
        for unsafe_fixes in (False, True):
            expected = rule_fixed(sentence, findings, unsafe_fixes)[:2]
            assert rule_fixed_text(sentence, findings, unsafe_fixes) == expected
    assert rule_fixed_text(first, [lih])[0] == "The ISIL fighters attacked Deir Ezzor."
    assert rule_fixed_text(second, [unsafe], True)[0].endswith("the SDF said no.")
