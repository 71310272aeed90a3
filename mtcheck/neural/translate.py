"""Sequence-to-sequence translation for back-translation (English -> Russian -> English).

Any Marian/seq2seq model works, named by a Hugging Face hub id or a local directory. Hub ids
resolve from the local Hugging Face cache only (``local_files_only``): a scan never waits on
the network; ``mtcheck models pull`` is the one command that downloads. A directory converted
with CTranslate2 (``ct2-transformers-converter --copy_files source.spm target.spm vocab.json
tokenizer_config.json``) runs on the CTranslate2 backend, for fast CPU inference.

Which model plays each direction: ``--translator-en-ru``/``--translator-ru-en`` (the CLI stores
them in the ``[tool.mtcheck.translation]`` table), else the config keys ``en-ru``/``ru-en``, else
the environment variables ``MTCHECK_TRANSLATOR_EN_RU``/``MTCHECK_TRANSLATOR_RU_EN``, else the
registry defaults (Helsinki-NLP/opus-mt-en-ru, opus-mt-ru-en).

Heavy imports (torch, transformers, ctranslate2, huggingface_hub) happen inside functions.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mtcheck.config import Section
from mtcheck.neural import framework_imports

DIRECTIONS = ("en-ru", "ru-en")
BACKENDS = ("auto", "transformers", "ctranslate2")
DEFAULT_NUM_CANDIDATES = 4
DEFAULT_BEAM_SIZE = 4
BATCH_SIZE = 16
# Weights in formats mtcheck never loads: `models pull` skips them (opus-mt repos ship
# TensorFlow and Rust copies of the same weights).
_IGNORE_PATTERNS = ["*.h5", "*.ot", "*.msgpack", "tf_model*", "flax_model*", "*.onnx", "rust_model*"]

_lock = threading.Lock()
_loaded: dict[tuple[str, str, str], "Translator"] = {}


# [translation] in the config: which models back-translate and how (flags land here too).
CONFIG = Section(
    "translation",
    {"en-ru": str, "ru-en": str, "backend": str, "num-candidates": int, "beam-size": int, "device": str},
    {"num-candidates": (1, 64), "beam-size": (1, 64)},
)


class TranslatorUnavailable(RuntimeError):
    """A translation model cannot be used; the message says why and what to do, on one line."""


@dataclass(frozen=True)
class TranslatorSpec:
    direction: str  # "en-ru" | "ru-en"
    ref: str  # hub id or local directory
    origin: str  # "config" (flag or config key) | "env" | "default"
    backend: str = "auto"
    device: str = "auto"


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # length-normalised log-probability (higher = more likely)


def _role(direction: str) -> dict:
    from mtcheck.neural import registry

    return registry.roles()[f"translate-{direction}"]


def resolve_spec(direction: str, config=None) -> TranslatorSpec:
    """Which model translates ``direction``: config (where the CLI flags land) > env > default."""
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown translation direction {direction!r}")
    section = config.section("translation") if config is not None else {}
    role = _role(direction)
    if section.get(direction):
        ref, origin = section[direction], "config"
    elif os.environ.get(role["env"]):
        ref, origin = os.environ[role["env"]], "env"
    else:
        ref, origin = role["model_id"], "default"
    backend = section.get("backend", "auto")
    if backend not in BACKENDS:
        raise TranslatorUnavailable(f"unknown translation backend {backend!r} (expected one of {', '.join(BACKENDS)})")
    return TranslatorSpec(direction, str(ref), origin, backend, section.get("device", "auto"))


def _is_local(ref: str) -> bool:
    return ref.startswith((".", "/", "~")) or os.path.isdir(os.path.expanduser(ref))


def locate(ref: str) -> Path:
    """The directory holding ``ref``'s files: the directory itself, or its cached hub snapshot.

    Never touches the network.
    """
    if _is_local(ref):
        path = Path(ref).expanduser()
        if not path.is_dir():
            raise TranslatorUnavailable(f"translation model directory {ref} does not exist")
        return path
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(ref, local_files_only=True, cache_dir=_cache_dir()))
    except LocalEntryNotFoundError:
        raise TranslatorUnavailable(
            f"translation model {ref} is not in the local Hugging Face cache ({_cache_dir()})"
        ) from None
    except Exception as e:  # malformed id, unreadable cache
        raise TranslatorUnavailable(f"translation model {ref} cannot be resolved: {e}") from None


def _cache_dir() -> str:
    """The hub cache, from the environment as it is now (huggingface_hub reads it once, at
    import; a test or a wrapper may set HF_HUB_CACHE/HF_HOME later)."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.path.expanduser(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return os.path.join(os.path.expanduser(os.environ["HF_HOME"]), "hub")
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def _is_ct2_dir(path: Path) -> bool:
    if not (path / "model.bin").is_file():
        return False
    try:
        cfg = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return True
    return "model_type" not in cfg  # a transformers config names its model type


class quiet_loading:
    """Silence transformers' per-load "Loading weights" progress bar: a scan prints a report,
    not loading noise. Restores the previous setting afterwards."""

    def __enter__(self):
        with framework_imports:
            from transformers.utils import logging as hf_logging

        self._was = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        return self

    def __exit__(self, *exc):
        from transformers.utils import logging as hf_logging

        if self._was:
            hf_logging.enable_progress_bar()
        return False


def _device(requested: str) -> str:
    if requested and requested != "auto":
        return requested
    with framework_imports:
        import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Translator:
    """One direction of translation, with n-best beam search over batches of sentences."""

    def __init__(self, path: Path, backend: str, device: str):
        self.path = path
        self.backend = backend
        self.device = device
        self.tokenizer = _load_tokenizer(path)
        if backend == "ctranslate2":
            import ctranslate2

            self._ct2 = ctranslate2.Translator(str(path), device=device)
            self._model = None
        else:
            with framework_imports:
                import torch
                from transformers import AutoModelForSeq2SeqLM

            with quiet_loading():
                self._model = AutoModelForSeq2SeqLM.from_pretrained(str(path), local_files_only=True)
            self._model.to(device)
            self._model.eval()
            self._torch = torch

    def translate(self, texts: Sequence[str], num_return: int = 1, beam_size: int = DEFAULT_BEAM_SIZE,
                  batch_size: int = BATCH_SIZE) -> list[list[Hypothesis]]:
        """The ``num_return`` best translations of each text, best first, in input order."""
        num_return = max(1, num_return)
        beam_size = max(beam_size, num_return)
        out: list[list[Hypothesis]] = [[] for _ in texts]
        # Sort by length so that a batch pads little; results go back to input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            chunk = [texts[i] for i in idx]
            if self.backend == "ctranslate2":
                results = self._translate_ct2(chunk, num_return, beam_size)
            else:
                results = self._translate_hf(chunk, num_return, beam_size)
            for i, hyps in zip(idx, results):
                out[i] = hyps
        return out

    def _translate_hf(self, texts: list[str], num_return: int, beam_size: int) -> list[list[Hypothesis]]:
        torch = self._torch
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        longest = int(enc["input_ids"].shape[1])
        with torch.inference_mode():
            gen = self._model.generate(
                **enc,
                num_beams=beam_size,
                num_return_sequences=num_return,
                max_length=int(longest * 2 + 10),  # decoder tokens; overrides the checkpoint's own
                output_scores=True,
                return_dict_in_generate=True,
            )
        decoded = self.tokenizer.batch_decode(gen.sequences, skip_special_tokens=True)
        scores = gen.sequences_scores.tolist() if getattr(gen, "sequences_scores", None) is not None else [0.0] * len(decoded)
        return [
            [Hypothesis(decoded[i * num_return + k].strip(), float(scores[i * num_return + k])) for k in range(num_return)]
            for i in range(len(texts))
        ]

    def _translate_ct2(self, texts: list[str], num_return: int, beam_size: int) -> list[list[Hypothesis]]:
        tok = self.tokenizer
        source = [tok.convert_ids_to_tokens(tok.encode(t)) for t in texts]
        results = self._ct2.translate_batch(
            source, beam_size=beam_size, num_hypotheses=num_return, return_scores=True,
            max_decoding_length=max(len(s) for s in source) * 2 + 10,
        )
        out = []
        for r in results:
            hyps = []
            for tokens, score in zip(r.hypotheses, r.scores):
                text = tok.decode(tok.convert_tokens_to_ids(tokens), skip_special_tokens=True).strip()
                hyps.append(Hypothesis(text, float(score)))
            out.append(hyps)
        return out


def _load_tokenizer(path: Path):
    with framework_imports:
        from transformers import AutoTokenizer

    with warnings.catch_warnings():
        # MarianTokenizer recommends sacremoses for its *source* pre-processing of some
        # languages; the English and Russian opus-mt models do not use it.
        warnings.simplefilter("ignore")
        try:
            return AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        except Exception as e:
            raise TranslatorUnavailable(f"cannot load the tokenizer in {path}: {e}") from None


def load_translator(spec: TranslatorSpec) -> Translator:
    """The translator for ``spec``, loaded once per process."""
    path = locate(spec.ref)
    backend = spec.backend
    if backend == "auto":
        backend = "ctranslate2" if _is_ct2_dir(path) else "transformers"
    elif backend == "ctranslate2" and not _is_ct2_dir(path):
        raise TranslatorUnavailable(f"{spec.ref} is not a CTranslate2 model directory (no model.bin)")
    if backend == "ctranslate2":
        try:
            import ctranslate2  # noqa: F401
        except ImportError:
            raise TranslatorUnavailable("the CTranslate2 backend needs the ctranslate2 package (pip install ctranslate2)") from None
    device = _device(spec.device)
    key = (str(path.resolve()), backend, device)
    with _lock:
        if key not in _loaded:
            try:
                _loaded[key] = Translator(path, backend, device)
            except TranslatorUnavailable:
                raise
            except Exception as e:  # a broken or incompatible checkpoint
                raise TranslatorUnavailable(f"cannot load translation model {spec.ref}: {type(e).__name__}: {e}") from None
        return _loaded[key]


# -- status and download (``mtcheck models``) --------------------------------------------------


def _dir_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size  # follows hub-cache symlinks to the blobs
        except OSError:
            pass
    return total


def translation_status(config=None) -> list[dict]:
    """One record per direction: role, model ref, where it came from, whether it is ready, size.

    Only looks at the disk; never imports torch or reaches the network.
    """
    out = []
    for direction in DIRECTIONS:
        rec: dict = {"role": f"translate-{direction}"}
        try:
            spec = resolve_spec(direction, config)
        except TranslatorUnavailable as e:
            rec.update(ready=False, reason=str(e))
            out.append(rec)
            continue
        rec.update(model=spec.ref, origin=spec.origin, backend=spec.backend)
        try:
            path = locate(spec.ref)
        except TranslatorUnavailable as e:
            rec.update(ready=False, path=None, size_bytes=0, reason=f"{e}; run `mtcheck models pull`")
        else:
            has_weights = _is_ct2_dir(path) or any(
                (path / f).is_file() for f in ("model.safetensors", "pytorch_model.bin")
            )
            rec.update(ready=has_weights, path=str(path), size_bytes=_dir_size(path),
                       backend=("ctranslate2" if _is_ct2_dir(path) else "transformers") if spec.backend == "auto" else spec.backend)
            if not has_weights:
                rec["reason"] = f"{path} holds no model weights"
        out.append(rec)
    return out


def pull(config=None, revision: str | None = None, echo=lambda message: None) -> list[str]:
    """Download the back-translation models ``config`` names into the Hugging Face cache;
    ``echo`` gets one line per step. Returns the directions that failed (a local directory
    that is missing counts as failed). Raises ``TranslatorUnavailable`` for a bad setting."""
    failed = []
    for direction in DIRECTIONS:
        spec = resolve_spec(direction, config)
        if _is_local(spec.ref):
            state = "present" if Path(spec.ref).expanduser().is_dir() else "missing"
            echo(f"{direction}: {spec.ref} is a local directory ({state}); nothing to download")
            if state == "missing":
                failed.append(direction)
            continue
        echo(f"{direction}: downloading {spec.ref} into {_cache_dir()}")
        try:
            path = _download(spec.ref, revision)
        except Exception as e:  # network, auth, unknown id, disk: one line each
            echo(f"mtcheck: error: {direction}: cannot download {spec.ref}: {_download_error(e)}")
            failed.append(direction)
            continue
        echo(f"{direction}: {spec.ref} ready at {path} ({_dir_size(Path(path)) / 1e6:.0f} MB)")
    return failed


def _download(repo_id: str, revision: str | None) -> str:
    from huggingface_hub import snapshot_download
    from tqdm.auto import tqdm

    return snapshot_download(repo_id, revision=revision, ignore_patterns=_IGNORE_PATTERNS, tqdm_class=tqdm, cache_dir=_cache_dir())


def _download_error(e: BaseException) -> str:
    """Why a download failed, in words a user can act on."""
    import re

    from huggingface_hub import errors

    text = str(e)
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return "HF_HUB_OFFLINE is set: unset it to download"
    if isinstance(e, errors.RepositoryNotFoundError):
        return "no such model on the Hugging Face hub (or it needs a login: `hf auth login`)"
    if isinstance(e, errors.GatedRepoError):
        return "the model is gated: accept its terms on the hub and log in"
    m = re.search(r"(ConnectError|ConnectTimeout|ReadTimeout|ConnectionError)[^\n]*", text)
    if m or isinstance(e, errors.LocalEntryNotFoundError):
        detail = m.group(0) if m else _one_line(e)
        return f"the Hugging Face hub cannot be reached ({detail}); check the network, a proxy or HF_ENDPOINT"
    if isinstance(e, OSError) and getattr(e, "strerror", None):
        return f"{e.strerror}"
    return _one_line(e)


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".rstrip(": ")
