"""The pipeline's shape (stages, partition), its signature (only what changes results), and
how settings are resolved (flags over config over environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtcheck.config import Config
from mtcheck.pipeline import Pipeline
from mtcheck.settings import Settings, SettingsError, resolve

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_stages_in_order_and_the_partition_a_process_backend_uses():
    full = Pipeline(Settings(neural=True, parse=True, rewrite=True))
    assert full.names == ("quality", "parse", "rules", "rewrite")
    head, body, tail = full.partition()
    assert [s.name for s in head] == ["quality"]
    assert [s.name for s in body] == ["parse", "rules"]
    assert [s.name for s in tail] == ["rewrite"]
    rules_only = Pipeline(Settings(neural=False, parse=False))
    assert rules_only.names == ("rules",) and rules_only.partition() == ((), rules_only.stages, ())
    # A selection without parse-needing rules has no parse stage (nothing would read it).
    assert "parse" not in Pipeline(Settings(config=Config(select=["style"]), neural=False, parse=True)).names


def test_the_key_ignores_what_does_not_change_results(monkeypatch, tmp_path):
    base = Pipeline(Settings(neural=False, parse=False)).key()
    monkeypatch.setenv("MTCHECK_NO_PROGRESS", "1")
    same = [
        Settings(neural=False, parse=False, jobs=4),
        Settings(neural=False, parse=False, cache=True, cache_dir=str(tmp_path)),
        Settings(neural=False, parse=False, include=("*.md",), exclude=("x*",)),
        Settings(config=Config(sections={"review": {"reviewer": "someone else"}}), neural=False, parse=False),
        Settings(config=Config(path="/elsewhere/mtcheck.toml", fail_on=Config().fail_on), neural=False, parse=False),
    ]
    for settings in same:
        assert Pipeline(settings).key() == base, settings


def test_the_key_follows_what_changes_results(tmp_path):
    base = Pipeline(Settings(neural=False, parse=False)).key()
    gaz = tmp_path / "names.tsv"
    gaz.write_text("# a user gazetteer\n", encoding="utf-8")
    from mtcheck.findings import Severity

    different = [
        Settings(config=Config(ignore=["style"]), neural=False, parse=False),
        Settings(config=Config(severity={"S105": Severity.INFO}), neural=False, parse=False),
        Settings(config=Config(gazetteer=[str(gaz)]), neural=False, parse=False),
        Settings(config=Config(sections={"quality": {"threshold": 0.3}}), neural=False, parse=False),
        Settings(neural=False, parse=False, rewrite=True),
    ]
    keys = {Pipeline(s).key() for s in different}
    assert base not in keys and len(keys) == len(different)
    first = Pipeline(different[2]).key()
    gaz.write_text("# the same file, edited\n", encoding="utf-8")
    assert Pipeline(different[2]).key() != first  # by content, not by path


def test_flags_win_over_config_and_config_over_environment(tmp_path):
    env = {"MTCHECK_CACHE_DIR": str(tmp_path / "from-env")}
    assert resolve(Config(), env=env).cache_dir == str(tmp_path / "from-env")
    cfg = Config(path=str(tmp_path / "mtcheck.toml"), cache="from-config", jobs=3)
    assert resolve(cfg, env=env).cache_dir == str(tmp_path / "from-config")
    assert resolve(cfg, env=env, cache_dir=str(tmp_path / "from-flag")).cache_dir == str(tmp_path / "from-flag")
    assert resolve(cfg, env=env).jobs == 3 and resolve(cfg, env=env, jobs=1).jobs == 1
    assert resolve(Config(neural=False)).parse is False  # parse follows neural unless asked
    assert resolve(Config(neural=False), parse=True).parse is True
    # resolving never changes the loaded config
    before = Config(select=["style"])
    resolve(before, select=["entity"], ignore=["E101"])
    assert before.select == ["style"] and before.ignore == []


@pytest.mark.parametrize("kw, message", [
    ({"jobs": -1}, "'jobs' must be 0"),
    ({"jobs": 100000}, "'jobs' must be 0"),
    ({"select": ["Z999"]}, "unknown rule selector"),
    ({"jobs": 2, "dask": "local"}, "do not combine"),
])
def test_bad_settings_are_one_line_errors(kw, message):
    with pytest.raises(SettingsError, match=message) as e:
        resolve(Config(), **kw)
    assert "\n" not in str(e.value)


def test_workers_build_the_same_pipeline_from_the_settings():
    """What --jobs and Dask workers receive is enough to rebuild the same pipeline."""
    import pickle

    pipeline = Pipeline(Settings(config=Config(ignore=["B105"]), neural=False, parse=False, jobs=2))
    spec = pickle.loads(pickle.dumps(pipeline.spec()))
    assert Pipeline(spec["settings"]).key() == pipeline.key() == spec["key"]
    again = Pipeline(pickle.loads(pickle.dumps(pipeline.settings.for_worker())))
    assert again.key() == pipeline.key() and again.settings.jobs == 1 and not again.settings.cache
