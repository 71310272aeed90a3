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


# -- stage overlap (issue 16): the scorer in a thread beside the parse and the model-free rules --
def _seed_documents():
    from mtcheck.document import Document

    root = Path(__file__).resolve().parents[1] / "seeds"
    docs = [Document.from_text(p.read_text(encoding="utf-8"), path=p.name) for p in sorted(root.glob("*.txt"))]
    # and one sentence the quality model flags by itself (X2), so the scores must reach the rules
    return docs + [Document.from_text("By Russia supported forces in Deir ezzor to those US support came close.", path="x2.txt")]


def _outcome(docs):
    return [([(f.code, f.start, f.end, f.message, str(f.severity)) for f in d.findings],
             [dict(s.scores) for s in d.sentences]) for d in docs]


@pytest.mark.slow
def test_overlapped_stages_give_what_the_stages_give_one_after_another():
    pipeline = Pipeline(Settings(cache=False))
    assert pipeline.names[:3] == ("quality", "parse", "rules")
    if not pipeline.stages[0].threadable():
        pytest.skip("the scorer runs in line on the torch backend")
    from mtcheck.neural import fluency

    fluency.load().forget()  # both runs score afresh
    in_line = _seed_documents()
    for stage in pipeline.stages:
        stage.run(in_line)
    fluency.load().forget()
    overlapped = _seed_documents()
    pipeline.run(overlapped)
    assert any(f.code.startswith("X2") for d in overlapped for f in d.findings)  # the scores reached the rules
    assert any(f.code.startswith(("E", "S", "B")) for d in overlapped for f in d.findings)
    assert _outcome(overlapped) == _outcome(in_line)


def test_an_error_in_the_overlapped_scorer_reaches_the_caller(monkeypatch):
    from mtcheck import pipeline as pipeline_module
    from mtcheck.document import Document

    pipeline = Pipeline(Settings(cache=False))
    quality, parse = pipeline.stages[0], pipeline.stages[1]
    monkeypatch.setattr(type(quality), "threadable", lambda self: True)
    parsed = []

    def failing_scorer(self, docs):
        raise RuntimeError("scorer broke")

    monkeypatch.setattr(pipeline_module.QualityStage, "run", failing_scorer)
    monkeypatch.setattr(pipeline_module.ParseStage, "run", lambda self, docs: parsed.append(len(docs)))
    ruled = []
    monkeypatch.setattr(pipeline_module.RulesStage, "run", lambda self, docs, early=None: ruled.append(early))
    with pytest.raises(RuntimeError, match="scorer broke"):
        pipeline.run([Document.from_text("The ministry said so on Monday.\n", path="a.txt")])
    assert parse is pipeline.stages[1] and parsed == [1]  # the parse ran beside it
    assert ruled == []  # the rules did not run on unscored sentences
