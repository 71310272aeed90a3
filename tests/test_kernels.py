"""The processor kernels mtcheck pins (mtcheck.kernels): which family runs, and that each family
gets the quality model fitted on its own numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mtcheck import kernels
from mtcheck.neural import registry

VNNI = frozenset({"fpu", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"})
AVX2_ONLY = frozenset({"fpu", "sse4_2", "avx", "avx2", "fma"})


def test_best_family_needs_every_avx512_part_vnni_uses():
    assert kernels.best_family(VNNI) == "avx512_vnni"
    assert kernels.best_family(VNNI | {"amx_tile", "amx_int8"}) == "avx512_vnni"
    assert kernels.best_family(AVX2_ONLY) == "avx2"
    assert kernels.best_family(VNNI - {"avx512bw"}) == "avx2"  # oneDNN's VNNI level would not run
    assert kernels.best_family(AVX2_ONLY | {"avx_vnni"}) == "avx2"  # AVX2 with VNNI: numbers of its own
    assert kernels.best_family(frozenset()) == "avx2"


@pytest.mark.parametrize("asked, flags, runs", [
    (None, VNNI, "avx2"),  # the calibrated default, even where the faster family would run
    ("avx2", VNNI, "avx2"),
    ("auto", VNNI, "avx512_vnni"),
    ("AVX512_VNNI", VNNI, "avx512_vnni"),
    ("auto", AVX2_ONLY, "avx2"),
    ("avx512_vnni", AVX2_ONLY, "avx2"),  # asked for what this processor cannot run
    ("fastest-please", VNNI, "avx2"),
])
def test_requested_family(monkeypatch, asked, flags, runs):
    monkeypatch.setattr(kernels, "cpu_flags", lambda: flags)
    if asked is None:
        monkeypatch.delenv("MTCHECK_KERNELS", raising=False)
    else:
        monkeypatch.setenv("MTCHECK_KERNELS", asked)
    assert kernels.requested_family() == runs


def test_other_processors_are_left_to_the_libraries(monkeypatch):
    monkeypatch.setattr(kernels.platform, "machine", lambda: "aarch64")
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    kernels.pin()
    assert "ONEDNN_MAX_CPU_ISA" not in os.environ and kernels.family() is None


def test_family_follows_the_onednn_cap(monkeypatch):
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert kernels.family() == "avx2"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "avx512_core_vnni")
    assert kernels.family() == "avx512_vnni"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE")  # a user's own cap: no model fitted on it
    assert kernels.family() is None


def _pinned(env: dict) -> dict:
    code = "import os, json, mtcheck; print(json.dumps({k: os.environ.get(k) for k in " \
           "('ONEDNN_MAX_CPU_ISA', 'ATEN_CPU_CAPABILITY', 'MKL_ENABLE_INSTRUCTIONS')}))"
    base = {k: v for k, v in os.environ.items()
            if k not in ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "MTCHECK_KERNELS")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_importing_mtcheck_pins_the_kernels_and_a_users_setting_wins():
    assert _pinned({}) == {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    assert _pinned({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX"})["ONEDNN_MAX_CPU_ISA"] == "AVX512_CORE_AMX"
    auto = _pinned({"MTCHECK_KERNELS": "auto"})
    assert auto["ONEDNN_MAX_CPU_ISA"] == kernels.FAMILIES[kernels.best_family()]
    assert auto["ATEN_CPU_CAPABILITY"] == "avx2"  # the translation models' float kernels stay put


def test_each_family_reads_the_models_fitted_on_its_numbers(monkeypatch):
    from mtcheck.rewrite import fixscore

    seen = {}
    for name, cap in kernels.FAMILIES.items():
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
        path = registry.artifact_path("quality")
        assert json.loads(path.read_text(encoding="utf-8"))["training"]["kernels"] == name
        seen[name] = (path.name, registry.artifact_path("fix-score").name)
        assert f"@ {name}" in registry.signature(("fluency",))["fluency"]  # caches keep the families apart
        fit = fixscore.load_model(str(registry.artifact_path("fix-score")))
        assert not fit.stale_quality(), f"the {name} fix-score fit predates that family's quality model"
    assert seen == {"avx2": ("quality.json", "fix_score.json"),
                    "avx512_vnni": ("quality-avx512_vnni.json", "fix_score-avx512_vnni.json")}
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE")
    assert registry.artifact_path("quality").name == "quality.json"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert registry.status("quality")["kernels"] == "avx2"


_SCORE = """
import json, sys
from mtcheck import kernels, quality
from mtcheck.neural import fluency
texts = ["The ministry said the talks would resume on Monday in Geneva.",
         "15 September was held the sixth round of negotiations, which failed to agree on the boundaries."]
print(json.dumps({"family": kernels.family(), "model": quality.model().meta["training"]["kernels"],
                  "logprobs": [s.logprobs for s in fluency.load().token_scores(texts)],
                  "quality": quality.score_texts(texts)}))
"""


@pytest.mark.slow
@pytest.mark.skipif(kernels.best_family() != "avx512_vnni", reason="this processor has no AVX-512 VNNI")
def test_the_vnni_family_really_runs_other_kernels_with_its_own_model():
    def run(family):
        env = {k: v for k, v in os.environ.items() if k != "ONEDNN_MAX_CPU_ISA"}
        out = subprocess.run([sys.executable, "-c", _SCORE], env={**env, "MTCHECK_KERNELS": family},
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    avx2, vnni = run("avx2"), run("avx512_vnni")
    assert (avx2["family"], avx2["model"]) == ("avx2", "avx2")
    assert (vnni["family"], vnni["model"]) == ("avx512_vnni", "avx512_vnni")
    assert avx2["logprobs"] != vnni["logprobs"]  # other kernels, other numbers: hence a model per family
    for run_ in (avx2, vnni):
        fluent, damaged = run_["quality"]
        assert fluent > damaged
