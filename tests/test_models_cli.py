"""``mtcheck models``: every role listed with its source, readiness and size."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mtcheck.cli import cli
from mtcheck.neural import registry

ROLES = ("fluency", "similarity", "parse", "translate-en-ru", "translate-ru-en", "quality")


def test_lists_every_role_as_json():
    result = CliRunner().invoke(cli, ["models", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    by_role = {r["role"]: r for r in records}
    assert set(ROLES) <= set(by_role) and set(by_role) == set(registry.roles())
    for r in records:
        assert set(r) >= {"role", "source", "ready", "size_bytes", "location"}
        assert isinstance(r["ready"], bool) and r["size_bytes"] >= 0
    assert by_role["fluency"]["location"].endswith(".gguf")
    assert by_role["quality"]["ready"] is True and by_role["quality"]["size_bytes"] > 0
    assert by_role["parse"]["source"] == "spacy"


def test_lists_every_role_as_text():
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ROLE", "SOURCE", "READY", "SIZE"]
    listed = {line.split()[0] for line in lines[1:] if line and not line.startswith(" ")}
    assert set(ROLES) <= listed


def test_cache_dir_flag_moves_the_model_cache(tmp_path, monkeypatch):
    # The flag wins over the environment, and is not passed on through it.
    monkeypatch.setenv("MTCHECK_CACHE_DIR", str(tmp_path / "unused"))
    result = CliRunner().invoke(cli, ["models", "--cache-dir", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    fluency = next(r for r in json.loads(result.stdout) if r["role"] == "fluency")
    assert fluency["ready"] is False and fluency["prepared"] is None  # nothing converted there
    assert "models prepare" in fluency["reason"]
    import os

    from mtcheck import locations

    assert os.environ["MTCHECK_CACHE_DIR"] == str(tmp_path / "unused")
    assert locations.cache_base() == tmp_path
    locations.configure(None)


def test_listing_loads_no_model_framework():
    code = ("import sys; from click.testing import CliRunner; from mtcheck.cli import cli; "
            "r = CliRunner().invoke(cli, ['models']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('torch', 'transformers', 'spacy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_prepare_unknown_role_is_a_usage_error():
    result = CliRunner().invoke(cli, ["models", "prepare", "nonsense"])
    assert result.exit_code == 2
    assert "unknown model role 'nonsense'" in result.stderr


def test_prepare_role_without_conversion():
    result = CliRunner().invoke(cli, ["models", "prepare", "parse", "--no-progress"])
    assert result.exit_code == 0
    assert "nothing to convert" in result.stderr


@pytest.mark.slow
def test_prepare_makes_fluency_ready():
    # Shares the default cache with the rest of the suite: converts at most once per machine.
    result = CliRunner().invoke(cli, ["models", "prepare", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "fluency:" in result.stderr
    status = registry.status("fluency")
    assert status["ready"] is True and status["prepared"] and status["size_bytes"] > 100_000_000
