"""Tiny Marian translation models built by the test suite, once per session.

Two SentencePiece vocabularies are trained on the fixture sentences below, a MarianMTModel
with a tiny config (d_model 16, one layer) is created with random weights, and then fitted for
a few seconds to the fixture pairs so that its round trips are predictable enough to test the
plumbing: placeholders come through, n-best lists differ, a trained "translation" drops a
number. Nothing here claims translation quality. A second pair of models keeps its random
weights: what it produces is garbage, which the fix scorer must refuse.

Models are saved in the Hugging Face hub-cache layout
(``<cache>/models--local--tiny-en-ru/snapshots/<hash>/`` + ``refs/main``), so that they load by
hub id with ``HF_HUB_OFFLINE=1``, and are also usable by their local path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

# The story the end-to-end tests scan. Sentence 2 uses the placeholder route ("LIH" is an
# entity the rules resolve to "ISIL", safely because the title spells out the Islamic State);
# the models below learned to translate its masked form.
STORY = (
    "Coalition strikes Islamic State in Syria\n"
    "\n"
    "LIH fighters attacked 25 positions near Deir ez-Zor.\n"
    "\n"
    "The defense Ministry said that the shelling was 25 wounded Syrian militias.\n"
    "\n"
    "Russian soldiers in the area of the Syrian province of Deir ez-Zor no.\n"
    "\n"
    "The coalition struck 100 fighters near the village of Salhiyah.\n"
)

# (English as the back-translation sends it, Russian, English the ru->en model returns).
# The first three come back as better English; the fourth comes back without its number,
# a candidate the protection check must reject.
PAIRS = [
    ("XZ1 fighters attacked 25 positions near Deir ez-Zor.",
     "Боевики XZ1 атаковали 25 позиций около Дейр-эз-Зора.",
     "XZ1 fighters attacked 25 positions near Deir ez-Zor."),
    ("The defense Ministry said that the shelling was 25 wounded Syrian militias.",
     "Минобороны сообщило, что при обстреле были ранены 25 сирийских ополченцев.",
     "The Defense Ministry said 25 Syrian militiamen were wounded in the shelling."),
    ("Russian soldiers in the area of the Syrian province of Deir ez-Zor no.",
     "Российских военных в районе сирийской провинции Дейр-эз-Зор нет.",
     "There are no Russian soldiers in the Syrian province of Deir ez-Zor."),
    ("The coalition struck 100 fighters near the village of Salhiyah.",
     "Коалиция нанесла удар по 100 боевикам около деревни Салхия.",
     "The coalition struck fighters near the village of Salhiyah."),
    ("The ministry said XZ1 shelled the city on 8 February.",
     "Министерство сообщило, что XZ1 обстреляли город 8 февраля.",
     "The ministry said XZ1 shelled the city on 8 February."),
    ("Syrian troops did not coordinate the operation with Russia.",
     "Сирийские войска не согласовали операцию с Россией.",
     "Syrian troops did not coordinate the operation with Russia."),
]
PLACEHOLDERS = ["XZ1", "XZ2", "XZ3"]

# d_model 32 rather than 16: it learns the six pairs exactly in ~300 steps (16 does not).
TINY = dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
            decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=128)


@dataclass(frozen=True)
class TinyModels:
    cache: Path  # a hub cache holding local/tiny-en-ru, local/tiny-ru-en, local/tiny-random-ru-en
    en_ru_id: str
    ru_en_id: str
    random_ru_en_id: str
    en_ru_dir: Path  # the snapshot directories, for loading by path
    ru_en_dir: Path
    random_ru_en_dir: Path


def _train_spm(sentences: list[str], prefix: Path) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences * 4), model_prefix=str(prefix), vocab_size=300,
        hard_vocab_limit=False, character_coverage=1.0, user_defined_symbols=PLACEHOLDERS,
        bos_id=-1, eos_id=-1, pad_id=-1, unk_id=0, minloglevel=2, num_threads=1,
    )
    return prefix.with_suffix(".model")


def _tokenizer_files(work: Path, source: list[str], target: list[str]) -> Path:
    """source.spm, target.spm and a shared vocab.json in ``work``/tok."""
    import sentencepiece as spm

    tok = work / "tok"
    tok.mkdir(parents=True, exist_ok=True)
    src = _train_spm(source, work / "src")
    tgt = _train_spm(target, work / "tgt")
    shutil.copy(src, tok / "source.spm")
    shutil.copy(tgt, tok / "target.spm")
    # As in the opus-mt checkpoints: </s> 0, <unk> 1, the pieces, and <pad> last (the
    # CTranslate2 converter relies on that layout).
    vocab = {"</s>": 0, "<unk>": 1}
    for model in (src, tgt):
        sp = spm.SentencePieceProcessor(model_file=str(model))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (tok / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return tok


def _build(tok_dir: Path, out: Path, source: list[str], target: list[str], steps: int, seed: int) -> None:
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Recommended: pip install sacremoses": not for these
        tokenizer = MarianTokenizer(str(tok_dir / "source.spm"), str(tok_dir / "target.spm"), str(tok_dir / "vocab.json"))
    vocab_size = len(json.loads((tok_dir / "vocab.json").read_text(encoding="utf-8")))
    pad = vocab_size - 1
    config = MarianConfig(vocab_size=vocab_size, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
                          forced_eos_token_id=0, scale_embedding=True, **TINY)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: a second thread only adds contention
    try:
        _fit(model, tokenizer, source, target, steps, config.pad_token_id)
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.generation_config.num_beams = 1
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))


def _fit(model, tokenizer, source: list[str], target: list[str], steps: int, pad_id: int) -> None:
    import torch

    if steps:
        batch = tokenizer(source, text_target=target, return_tensors="pt", padding=True)
        labels = batch["labels"].clone()
        labels[labels == pad_id] = -100
        optim = torch.optim.Adam(model.parameters(), lr=1e-2)
        model.train()
        for _ in range(steps):
            loss = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
            loss.backward()
            optim.step()
            optim.zero_grad()
            _zero_pad_embedding(model, pad_id)
    else:
        _zero_pad_embedding(model, pad_id)


def _zero_pad_embedding(model, pad_id: int) -> None:
    """Marian decoders start from a zero embedding (the <pad> row is zero in opus-mt
    checkpoints; CTranslate2 relies on it)."""
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[pad_id].zero_()


def _publish(cache: Path, repo_id: str, files_dir: Path) -> Path:
    """Lay ``files_dir`` out as a hub-cache snapshot of ``repo_id`` (blobs + symlinks + refs)."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    digest = hashlib.sha1(repo_id.encode()).hexdigest()
    snapshot = repo / "snapshots" / digest
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for f in sorted(files_dir.iterdir()):
        data = f.read_bytes()
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / f.name
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, snapshot))
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(digest)
    return snapshot


def build_tiny_models(base: Path, steps: int = 300) -> TinyModels:
    """Build (or reuse, when ``base`` already holds them) the tiny models."""
    cache = base / "hub"
    marker = base / "done.json"
    ids = {"en_ru": "local/tiny-en-ru", "ru_en": "local/tiny-ru-en", "random": "local/tiny-random-ru-en"}
    if not marker.exists():
        work = base / "work"
        english_in = [p[0] for p in PAIRS]
        russian = [p[1] for p in PAIRS]
        english_out = [p[2] for p in PAIRS]
        en_ru_tok = _tokenizer_files(work / "en-ru", english_in, russian)
        ru_en_tok = _tokenizer_files(work / "ru-en", russian, english_out)
        _build(en_ru_tok, work / "en-ru" / "model", english_in, russian, steps, seed=1)
        _build(ru_en_tok, work / "ru-en" / "model", russian, english_out, steps, seed=2)
        _build(ru_en_tok, work / "random" / "model", russian, english_out, 0, seed=3)
        _publish(cache, ids["en_ru"], work / "en-ru" / "model")
        _publish(cache, ids["ru_en"], work / "ru-en" / "model")
        _publish(cache, ids["random"], work / "random" / "model")
        marker.write_text("{}")

    def snap(repo_id: str) -> Path:
        repo = cache / ("models--" + repo_id.replace("/", "--"))
        return repo / "snapshots" / (repo / "refs" / "main").read_text().strip()

    return TinyModels(cache, ids["en_ru"], ids["ru_en"], ids["random"], snap(ids["en_ru"]), snap(ids["ru_en"]), snap(ids["random"]))


def session_models(tmp_path_factory) -> TinyModels:
    """For a session-scoped fixture: one build per test session, shared by every module."""
    base = tmp_path_factory.getbasetemp() / "tiny-marian"
    base.mkdir(exist_ok=True)
    return build_tiny_models(base)
