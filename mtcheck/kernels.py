"""Which processor kernels the numeric libraries run, so that the numbers are ones a model was fitted on.

CTranslate2's int8 matrix products go through oneDNN, and oneDNN picks its kernels by the
processor. Their numbers differ by kernel family, not only in speed: measured on the 500 daseg
sentences (SmolLM2-135M, int8), AVX2 kernels (which sum byte products in saturating 16-bit
pairs) and AVX-512 VNNI kernels (exact 32-bit sums) disagree on every token, by up to 8.8
nats, and the VNNI ones are the nearer to float32 (mean |difference| 0.31 against 0.43 nats)
and twice as fast. Even AVX-512 without VNNI, or AVX2 with VNNI, gives a third and a fourth
set of numbers. A quality model fitted on one set moves sentences across its flag threshold
on another, so mtcheck runs one of two families, each with its own fitted quality and fix-score
models (``mtcheck/data/models/registry.toml``, ``kernels`` keys), chosen by ``MTCHECK_KERNELS``:

- ``avx2`` (the default): oneDNN capped at ``AVX2``, on every x86 machine;
- ``avx512_vnni``: oneDNN capped at ``AVX512_CORE_VNNI``, where the processor has AVX-512
  with VNNI (every processor with AMX has it too); twice as fast;
- ``auto``: the faster of the two that this processor runs.

Both models are fitted by the same rule (``scripts/train_quality.py``; figures in
models/QUALITY_CARD.md), but only the avx2 one passes every named false alarm and miss of the
test suite (on the avx512_vnni numbers "Both officials then resigned." scores 0.080 against a
threshold of 0.09), so the calibrated default stays the slower family.

torch and MKL (the translation models) stay on their AVX2 kernels on every machine: nothing
is fitted on their numbers, but a greedy decode should not change with the processor.

``pin`` runs when the package is imported, before ctranslate2 or torch can load (they read
these variables once). A user's own ``ONEDNN_MAX_CPU_ISA`` wins over ``MTCHECK_KERNELS``;
``family`` then names the family it selects, or ``None`` for one no model here was fitted on.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache

FAMILIES = {"avx2": "AVX2", "avx512_vnni": "AVX512_CORE_VNNI"}  # family -> oneDNN ISA cap
DEFAULT_FAMILY = "avx2"
# The instructions oneDNN's AVX512_CORE_VNNI level needs (its avx512_core is F, BW, VL and DQ).
_VNNI_FLAGS = frozenset({"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"})
_FLOAT_PINS = (("ATEN_CPU_CAPABILITY", "avx2"), ("MKL_ENABLE_INSTRUCTIONS", "AVX2"))


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The processor's feature flags as Linux lists them; empty where they cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def best_family(flags: frozenset[str] | None = None) -> str:
    """The fastest family this processor runs."""
    return "avx512_vnni" if _VNNI_FLAGS <= (cpu_flags() if flags is None else flags) else DEFAULT_FAMILY


def is_x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def family() -> str | None:
    """The family in force (from ``ONEDNN_MAX_CPU_ISA``), or None for a cap no model was fitted on."""
    if not is_x86():
        return None  # other processors run other kernels altogether
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
    for name, cap in FAMILIES.items():
        if isa == cap:
            return name
    return None


def label() -> str:
    """The family in force, or the raw oneDNN cap a user set ("native": none)."""
    return family() or os.environ.get("ONEDNN_MAX_CPU_ISA") or "native"


def unfit_reason() -> str | None:
    """Why no model can be fitted on the kernels in force here, or None (the training scripts)."""
    if family() is None:
        return f"the kernels in force ({label()}) are no kernel family of mtcheck.kernels"
    asked = os.environ.get("MTCHECK_KERNELS", "").strip().lower()
    if asked in FAMILIES and asked != family():
        return f"MTCHECK_KERNELS={asked}: this processor does not run those kernels, so no model can be fitted on them here"
    return None


def requested_family() -> str:
    """The family ``MTCHECK_KERNELS`` asks for and this processor runs; ``avx2`` otherwise."""
    wanted = os.environ.get("MTCHECK_KERNELS", DEFAULT_FAMILY).strip().lower()
    best = best_family()
    if wanted == "auto" or (wanted == best and wanted in FAMILIES):
        return best
    return DEFAULT_FAMILY


def pin() -> None:
    if not is_x86():  # these are x86 instruction sets; elsewhere the libraries choose
        return
    os.environ.setdefault("ONEDNN_MAX_CPU_ISA", FAMILIES[requested_family()])
    for name, value in _FLOAT_PINS:
        os.environ.setdefault(name, value)
