"""The fluency scorer and its model cache, on the real packaged SmolLM2 model."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtcheck.neural import cache, fluency, registry

# Machine-translation damage (Russian word order, calques, dropped subjects, scrambles) beside a
# fluent rewrite of the same content. The first eight come from the seed stories.
PAIRS = [
    ("Russian soldiers in the area of the Syrian province of Deir ez-Zor no.",
     "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor."),
    ("The defense Ministry said that the shelling was 25 wounded Syrian militias.",
     "The defense ministry said 25 Syrian militiamen were wounded in the shelling."),
    ("Was decided to send the Russian military police.",
     "It was decided to send in the Russian military police."),
    ("15 September was held the sixth round of negotiations, which failed to agree on the boundaries.",
     "The sixth round of negotiations, held on September 15, failed to agree on the boundaries."),
    ("For this attack, according to Moscow, directly or indirectly, are the United States.",
     "According to Moscow, the United States is directly or indirectly behind this attack."),
    ("In Deir ezzor forces supported by Russia came close to those who support US.",
     "In Deir ez-Zor, forces backed by Russia came close to forces backed by the US."),
    ("They reported that during the RAID, coalition forces aircraft of Russian air force in this area.",
     "They reported that there were no Russian air force aircraft in the area during the coalition raid."),
    ("Moscow is responsible, that pre-warns US about the impending attacks.",
     "Moscow says it warns the US in advance about impending attacks."),
    ("The minister yesterday to journalists the new plan presented.",
     "The minister presented the new plan to journalists yesterday."),
    ("Of the meeting results the president satisfied remained.",
     "The president was satisfied with the results of the meeting."),
    ("Police the suspect detained near the station on Tuesday evening.",
     "Police detained the suspect near the station on Tuesday evening."),
    ("In the city began the construction of new bridge across river.",
     "Construction of a new bridge across the river began in the city."),
]


# -- no model needed --------------------------------------------------------------------------
def test_names_and_numbers_are_recognised_cheaply():
    text = "The Russian defense Ministry said 25 fighters near Deir ez-Zor were hit."
    words = [text[a:b] for a, b in fluency.name_or_number_words(text)]
    assert words == ["Russian", "Ministry", "25", "Deir", "ez-Zor"]
    # The first word's capital is the sentence start, unless the word is all capitals.
    assert fluency.name_or_number_words("Police said so.") == []
    assert [("INTERFAX.RU said so."[a:b]) for a, b in fluency.name_or_number_words("INTERFAX.RU said so.")] == ["INTERFAX.RU"]


def test_content_mask_follows_token_offsets():
    scores = fluency.TokenScores(
        text="Hello Deir world 25.",
        ids=[1, 2, 3, 4, 5, 6, 7],
        offsets=[(0, 5), (5, 8), (8, 10), (10, 16), (16, 18), (18, 19), (19, 20)],
        logprobs=[-1.0] * 7,
    )
    assert fluency.content_mask(scores) == [True, False, False, True, False, False, True]


def test_features_are_per_token_means_and_skip_the_first_token():
    table, unseen = fluency.unigram_table()
    scores = fluency.TokenScores(text="a b c d", ids=[10, 11, 12, 13], offsets=[(0, 1), (1, 3), (3, 5), (5, 7)],
                                 logprobs=[-20.0, -2.0, -4.0, -6.0])
    f = fluency.sentence_features(scores)
    assert f["n_tokens"] == 4
    assert f["lp_mean"] == pytest.approx(-4.0)  # the first token (-20) is left out
    assert f["lp_min"] == pytest.approx(-6.0)
    expected_slor = sum(lp - table.get(i, unseen) for lp, i in zip([-2.0, -4.0, -6.0], [11, 12, 13])) / 3
    assert f["slor"] == pytest.approx(expected_slor)
    assert set(f) == set(fluency.FEATURES)


def test_worst_window_is_the_least_likely_stretch_of_content_words():
    table, unseen = fluency.unigram_table()
    text = "the men came close to those who the support US today"
    words = text.split()
    offsets, pos = [], 0
    for w in words:
        start = text.index(w, pos)
        offsets.append((max(0, start - 1), start + len(w)))  # a token holds the space before its word
        pos = start + len(w)
    ids = [10 + k for k in range(len(words))]
    base = [table.get(i, unseen) + 3.0 for i in ids]  # SLOR +3 everywhere ...
    logprobs = list(base)
    for k in (6, 7, 8):  # ... except "who the support": SLOR -5
        logprobs[k] = table.get(ids[k], unseen) - 5.0
    logprobs[9] = -30.0  # "US" is a name: never the evidence, however unlikely
    scores = fluency.TokenScores(text=text, ids=ids, offsets=offsets, logprobs=logprobs)
    a, b, mean = fluency.worst_window(scores)
    assert text[a:b] in ("those who the support", "who the support US today")
    assert mean < 0
    f = fluency.sentence_features(scores)
    assert f["win_slor_min"] == pytest.approx(mean)
    assert fluency.worst_window(fluency.TokenScores(text="Hi", ids=[1], offsets=[(0, 2)], logprobs=[-1.0])) is None


def _prepare_with_counter(base: str, counter_path: str) -> str:
    os.environ["MTCHECK_CACHE_DIR"] = base

    def build(tmp: Path) -> dict:
        with open(counter_path, "a") as fh:
            fh.write("built\n")
        time.sleep(0.5)  # long enough for the other process to find the lock held
        (tmp / "weights.bin").write_bytes(b"x" * 10)
        return {}

    path, _ = cache.prepare("demo", "k1", build)
    return str(path)


def test_concurrent_preparation_builds_once(tmp_path):
    counter = tmp_path / "builds.txt"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        paths = pool.starmap(_prepare_with_counter, [(str(tmp_path), str(counter))] * 2)
    assert paths[0] == paths[1]
    assert counter.read_text().count("built") == 1
    final = Path(paths[0])
    assert (final / "weights.bin").read_bytes() == b"x" * 10
    assert cache.read_marker(final)["role"] == "demo"
    assert not [p for p in final.parent.iterdir() if p.name.endswith(".tmp")]  # no temp folder left


def test_failed_preparation_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path))

    def build(tmp: Path) -> dict:
        (tmp / "half.bin").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cache.prepare("demo", "k2", build)
    assert not cache.is_ready("demo", "k2")
    assert not [p for p in (tmp_path / "models").iterdir() if p.is_dir()]


def test_importing_the_quality_layer_does_not_import_torch():
    code = ("import sys, mtcheck.quality, mtcheck.rules.syntax_quality, mtcheck.neural.fluency, mtcheck.cli.models_cmd; "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- the real model ---------------------------------------------------------------------------
@pytest.mark.slow
def test_garbled_sentences_score_below_their_fluent_rewrites():
    from mtcheck.quality import score_texts

    bad = score_texts([b for b, _ in PAIRS])
    good = score_texts([g for _, g in PAIRS])
    assert all(0.0 <= q <= 1.0 for q in bad + good)
    losers = [(b, qb, qg) for (b, _), qb, qg in zip(PAIRS, bad, good) if not qb < qg]
    assert not losers, losers


@pytest.mark.slow
def test_the_first_word_is_tokenized_as_in_running_text():
    # Without a leading space "Moscow" splits into rare pieces ("M" + "oscow") the model finds
    # improbable; encoded as inside running text it is one token, as everywhere else.
    (s,) = fluency.load().token_scores(["Moscow is responsible for the attacks."])
    assert s.text[s.offsets[0][0]:s.offsets[0][1]] == "Moscow"
    assert all(0 <= a <= b <= len(s.text) for a, b in s.offsets)


@pytest.mark.slow
def test_batched_scores_match_single_sentence_scores():
    model = fluency.load()
    # Texts of many token lengths, one twice (and once with other spacing): each is scored in
    # a batch with others, then alone.
    texts = [g for _, g in PAIRS[:6]] + ["Short one."] + [b for b, _ in PAIRS[:3]] + [PAIRS[0][1], "Short   one."]
    model.forget()  # scored afresh, not from what earlier tests scored
    batched = model.token_scores(texts)
    # CTranslate2 (int8 or float32) scores batches of one token length, without padding: a text
    # gets exactly the numbers it gets alone. torch pads: float32 rounding only.
    worst = 0.0 if model.backend == "ctranslate2" else (2e-3 if model.quantize == "none" else 0.3)
    for text, b in zip(texts, batched):
        model.forget()  # alone means alone: not the batch's numbers remembered
        (single,) = model.token_scores([text])
        assert b.text == single.text and b.ids == single.ids and b.offsets == single.offsets
        diffs = [abs(x - y) for x, y in zip(b.logprobs, single.logprobs)]
        assert max(diffs) <= worst, diffs  # padding and batch-mates must not leak into scores
    assert batched[-2].logprobs == batched[0].logprobs and batched[-1].text == "Short one."
    assert len(model.token_scores(texts[:2] * 3)) == 6


@pytest.fixture
def memo_model():
    """The process's scorer with an empty memo (the memo is the CTranslate2 backend's: torch
    batches pad, so its numbers depend on the batch)."""
    model = fluency.load()
    if model.backend != "ctranslate2":
        pytest.skip("the memo is the CTranslate2 backend's")
    model.forget()
    return model


@pytest.mark.slow
def test_a_text_scored_before_is_not_sent_to_the_model_again(monkeypatch, memo_model):
    model = memo_model
    sent: list[int] = []
    generator = model._generator

    class Counting:  # the CTranslate2 generator, counting the texts sent to it
        def score_batch(self, tokens, **kwargs):
            sent.append(len(tokens))
            return generator.score_batch(tokens, **kwargs)

    monkeypatch.setattr(model, "_generator", Counting())
    texts = [g for _, g in PAIRS[:4]]
    first = model.token_scores(texts)
    assert sum(sent) == 4
    # Later, in another call and other company (and other spacing): the same numbers, nothing scored.
    again = model.token_scores([texts[2].replace(" ", "  "), "A new sentence for the model.", texts[0]])
    assert sum(sent) == 5
    assert again[0].logprobs == first[2].logprobs and again[2].logprobs == first[0].logprobs
    assert again[0].ids == first[2].ids and again[0].offsets == first[2].offsets
    model.forget()
    (fresh,) = model.token_scores([texts[0]])
    assert sum(sent) == 6 and fresh.logprobs == first[0].logprobs  # remembered numbers are exact


@pytest.mark.slow
def test_the_memo_forgets_the_oldest_texts_past_its_size(monkeypatch, memo_model):
    model = memo_model
    texts = [g for _, g in PAIRS[:5]]
    sizes = [len(s.logprobs) for s in model.token_scores(texts[:1])]
    monkeypatch.setattr(fluency, "MEMO_TOKENS", 3 * max(sizes) + 20)
    for t in texts:
        model.token_scores([t])
    assert model._memo_tokens <= fluency.MEMO_TOKENS
    assert texts[-1] in model._memo and texts[0] not in model._memo
    model.forget()
    assert not model._memo and model._memo_tokens == 0


@pytest.mark.slow
def test_int8_weights_prepared_once_give_the_numbers_of_quantizing_at_load():
    # The int8 folder's weights were quantized by the converter; CTranslate2 quantizes the
    # float32 folder's at load. The calibrated quality model depends on them being the same.
    if fluency.backend() != "ctranslate2" or fluency.quantize_mode() != "int8":
        pytest.skip("the int8 folder is the CTranslate2 int8 backend's")
    # The float32 folder is prepared here when absent (about 40 s, once per cache): on a clean
    # machine nothing else makes it, and without it this check would never run.
    float32 = fluency.prepared_path(quantize="none") or fluency.prepare(progress=False, backend_name="ctranslate2", quantize="none")
    texts = [t for pair in PAIRS for t in pair] + ["Both officials then resigned.", "Krychowiak was enchanted by Kamchatka's beauty."]
    at_load = fluency.FluencyModel(float32, backend_name="ctranslate2", quantize="int8").token_scores(texts)
    prepared = fluency.load()
    # (an earlier test may have loaded it from another cache folder: compare the folder's kind)
    assert prepared.path.name == fluency.prepared_path().name != float32.name
    prepared.forget()
    for a, b in zip(at_load, prepared.token_scores(texts)):
        assert a.ids == b.ids and a.logprobs == b.logprobs, a.text


@pytest.mark.slow
def test_model_loads_once_per_process():
    first = fluency.load()
    loads = fluency.LOAD_COUNT["load"]
    assert fluency.load() is first
    assert fluency.LOAD_COUNT["load"] == loads


@pytest.mark.slow
def test_conversion_is_cached_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path))
    backend = fluency.backend()
    assert fluency.prepared_path() is None
    converted = fluency.LOAD_COUNT["convert"]
    path = fluency.prepare(progress=False)
    assert fluency.LOAD_COUNT["convert"] == converted + 1  # the GGUF was de-quantized once
    assert path.parent == tmp_path / "models"
    marker = json.loads((path / cache.MARKER).read_text())
    assert marker["source"] == str(fluency.gguf_path())
    assert (path / "tokenizer.json").is_file()
    assert (path / "model" / "model.bin").is_file() if backend == "ctranslate2" else (path / "model.safetensors").is_file()
    assert fluency.prepared_path() == path
    assert registry.status("fluency")["ready"] is True
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # scratch folders removed

    # Second time: nothing is converted again, and the prepared folder loads and scores.
    def no_conversion(*_a, **_k):
        raise AssertionError("the model was converted a second time")

    monkeypatch.setattr(fluency, "_build_torch", no_conversion)
    monkeypatch.setattr(fluency, "_build_ct2", no_conversion)
    assert fluency.prepare(progress=False) == path
    model = fluency.FluencyModel(path, backend_name=backend)
    (scores,) = model.token_scores(["The ministry said the strike had killed three people."])
    assert len(scores.logprobs) == len(scores.ids) > 5
    assert all(lp <= 0.0 for lp in scores.logprobs)
    assert json.loads((path / cache.MARKER).read_text()) == marker  # untouched
    shutil.rmtree(tmp_path / "models")  # half a gigabyte: do not leave it to pytest's retention
