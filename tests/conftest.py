"""Fixtures shared by the whole suite: small and generic. Test files keep their own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _user_models() -> Path:
    # Read before any test moves MTCHECK_CACHE_DIR: where this machine keeps converted models.
    from mtcheck import locations

    locations.configure(None)
    return locations.cache_base() / "models"


USER_MODELS = _user_models()


@pytest.fixture
def cache_folder(tmp_path):
    """A fresh cache base folder (``Settings.cache_dir``) for a test's result store, whose
    ``models/`` is the user's prepared-model folder: the store starts empty, while the fluency
    model, converted once per machine (about 40 s), is not converted again for every test."""
    from mtcheck import locations

    prepared = USER_MODELS
    prepared.mkdir(parents=True, exist_ok=True)
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "models").symlink_to(prepared, target_is_directory=True)
    yield str(folder)
    locations.configure(None)


@pytest.fixture
def seeds_dir() -> Path:
    """The five sample stories shipped in the repository (``seeds/``)."""
    return SEEDS


@pytest.fixture
def cli(tmp_path_factory):
    """Run the mtcheck CLI in-process: ``cli("scan", path, "--no-neural")`` returns click's
    Result, with ``stdout`` and ``stderr`` apart. An exception that is not a clean exit
    propagates, so a traceback fails the test. Caches go to a fresh folder, so no result
    of an earlier run (or of the user's own cache) is reused."""
    from mtcheck.cli import cli as group

    runner = CliRunner(env={"MTCHECK_CACHE_DIR": str(tmp_path_factory.mktemp("mtcheck-cache"))})

    def invoke(*args: str, **kwargs):
        return runner.invoke(group, [str(a) for a in args], catch_exceptions=False, prog_name="mtcheck", **kwargs)

    return invoke


@pytest.fixture(scope="session")
def spacy_pipeline():
    """The spaCy English pipeline of the parse role, loaded once per test session."""
    from mtcheck.neural import parse

    try:
        return parse.load_pipeline()
    except parse.ParseUnavailable as e:  # pragma: no cover - the package is a dependency
        pytest.skip(str(e))


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project venv), for subprocess checks."""
    return sys.executable


@pytest.fixture
def subprocess_env(tmp_path_factory) -> dict:
    """Environment for a subprocess run of mtcheck: this one, with a fresh cache folder."""
    return {**os.environ, "MTCHECK_CACHE_DIR": str(tmp_path_factory.mktemp("mtcheck-cache"))}
