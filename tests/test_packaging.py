"""mtcheck as a user installs it: ``pip install .`` (not editable) into a fresh environment
finds its model registry and trained artifacts (package data) from any folder, and the model
cards in ``models/`` describe exactly the artifacts the package ships."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# card -> the artifacts it describes (the quality and fix-score models are fitted once per kernel
# family: mtcheck.kernels)
ARTIFACTS = [("QUALITY_CARD.md", "quality.json"), ("QUALITY_CARD.md", "quality-avx512_vnni.json"),
             ("FIX_SCORE_CARD.md", "fix_score.json"), ("FIX_SCORE_CARD.md", "fix_score-avx512_vnni.json")]


@pytest.mark.parametrize("card, artifact", ARTIFACTS)
def test_each_card_names_the_packaged_artifact(card, artifact):
    from mtcheck.neural import registry

    packaged = registry.MODELS_DIR / artifact
    assert packaged.is_file() and packaged.is_relative_to(ROOT / "mtcheck")
    text = (ROOT / "models" / card).read_text(encoding="utf-8")
    named = dict(re.findall(r"^Artifact: `([^`]+)` \(sha256 `([0-9a-f]{64})`\)", text, re.M))
    assert f"mtcheck/data/models/{artifact}" in named, f"{card} does not say it describes {artifact} (scripts/stamp_card.py)"
    assert named[f"mtcheck/data/models/{artifact}"] == hashlib.sha256(packaged.read_bytes()).hexdigest(), \
        f"{card} describes another {artifact}: refit or restamp"


def test_every_kernel_family_has_its_fitted_models():
    from mtcheck import kernels
    from mtcheck.neural import registry

    for role in ("quality", "fix-score"):
        files = {"avx2": registry.roles()[role]["path"], **registry.roles()[role]["kernels"]}
        assert set(files) == set(kernels.FAMILIES)
        for name, file in files.items():
            data = json.loads((registry.MODELS_DIR / file).read_text(encoding="utf-8"))
            fitted_on = data["training"]["kernels"] if role == "quality" else data["data"]["quality_models"]["fluency"]
            # "<model> @ <family>", then the context it scored after, if any
            assert fitted_on == name or re.search(f"@ {name}( after .*)?$", fitted_on), f"{file} was fitted on other numbers"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding a regular (wheel) install of this checkout; the libraries come from
    the test environment through a .pth path, so nothing is downloaded."""
    base = tmp_path_factory.mktemp("install")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # After the venv's own site-packages: an installed mtcheck there wins over the checkout.
    (site / "zz-test-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-compile",
         "--target", str(site), str(ROOT)],
        capture_output=True, text=True, cwd=base,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["MTCHECK_NO_PROGRESS"] = "1"
    return python, site, base, env


def _run(installed, *args, stdin: str | None = None):
    python, _, cwd, env = installed
    return subprocess.run([str(python), "-m", "mtcheck", *args], capture_output=True, text=True, cwd=cwd, env=env, input=stdin)


def test_installed_package_is_the_one_run(installed):
    python, site, cwd, env = installed
    out = subprocess.run([str(python), "-c", "import mtcheck, mtcheck.neural.registry as r; print(mtcheck.__file__); print(r.MODELS_DIR)"],
                         capture_output=True, text=True, cwd=cwd, env=env, check=True).stdout.split()
    assert Path(out[0]).is_relative_to(site) and Path(out[1]).is_relative_to(site)
    for name in ("registry.toml", "quality.json", "fix_score.json", "fluency_unigram.json"):
        assert (Path(out[1]) / name).is_file(), name
    assert not (site / "models").exists()  # the cards stay in the repository


def test_installed_models_list_finds_every_artifact(installed):
    res = _run(installed, "models", "--format", "json")
    assert res.returncode == 0, res.stderr
    roles = {r["role"]: r for r in json.loads(res.stdout)}
    for role in ("fluency-baseline", "quality", "fix-score"):
        assert roles[role]["ready"], roles[role]
        assert Path(roles[role]["location"]).is_relative_to(installed[1])


def test_installed_scan_runs_from_another_folder(installed):
    res = _run(installed, "scan", str(ROOT / "seeds"), "--no-neural", "--no-cache", "--format", "json")
    assert res.returncode == 1, res.stderr  # the seeds hold errors
    report = json.loads(res.stdout)
    assert len(report["files"]) == 5 and report["summary"]["findings"] > 0
    assert "LIH" in {f["text"] for rec in report["files"] for f in rec["findings"]}


@pytest.mark.slow
def test_installed_neural_scan_and_score_find_the_models(installed):
    res = _run(installed, "scan", str(ROOT / "seeds" / "001_6dfbf46b29b8d6d9.txt"), "--no-cache", "--format", "json")
    assert res.returncode in (0, 1), res.stderr
    sentences = json.loads(res.stdout)["files"][0]["sentences"]
    assert all(isinstance(s.get("quality"), float) for s in sentences)
    res = _run(installed, "score", "-", stdin="The ministry said the talks would resume on Monday.\n")
    assert res.returncode == 0, res.stderr
    (record,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert 0.0 <= record["quality"] <= 1.0
