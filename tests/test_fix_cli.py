"""``mtcheck fix``: cleaned copies mirroring the input tree, a diff per file, originals never
touched, --in-place only with --backup, unsafe fixes only on request, encodings kept, bad input
reported in one line. Rules-only runs (--no-neural) are fast; one slow test runs the whole
pipeline with the tiny translation models."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import marian_fixture as mf
import pytest
from click.testing import CliRunner

from mtcheck.cli import cli

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_002 = "002_4226bccabad467d5.txt"
SEED_003 = "003_ffa3510338295b69.txt"


def run(*args):
    return CliRunner().invoke(cli, ["fix", *map(str, args)])


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def tree(tmp_path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / SEED_003, src / SEED_003)
    shutil.copy(SEEDS / SEED_002, src / "sub" / SEED_002)
    return src


def test_out_writes_cleaned_copies_and_diffs_and_leaves_originals(tree, tmp_path):
    before = digest(tree)
    out = tmp_path / "out"
    res = run(tree, "--out", out, "--no-neural", "--fail-on", "never")
    assert res.exit_code == 0, res.output
    assert digest(tree) == before  # originals untouched
    clean3 = (out / SEED_003).read_text(encoding="utf-8")
    clean2 = (out / "sub" / SEED_002).read_text(encoding="utf-8")
    assert "LIH" not in clean3 and "(ISIL, a banned terrorist organization)" in clean3
    assert "Defense Ministry" in clean2 and "SDF" in clean2 and " SDS" not in clean2
    assert "Medusa presented" in clean2  # an unsafe fix (Medusa -> Meduza) is not applied by default
    diff = (out / (SEED_003 + ".diff")).read_text(encoding="utf-8")
    assert diff.startswith(f"diff --git a/{SEED_003} b/{SEED_003}\n")
    assert any(line.startswith("-") and "LIH" in line for line in diff.splitlines())
    assert any(line.startswith("+") and "ISIL" in line for line in diff.splitlines())
    assert (out / "sub" / (SEED_002 + ".diff")).is_file()
    assert "2 of 2 files changed" in res.stderr
    assert not list(out.rglob(".*.tmp"))


def test_diff_applies_to_the_original(tree, tmp_path):
    import subprocess

    out = tmp_path / "out"
    assert run(tree / SEED_003, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(tree / SEED_003, work / SEED_003)
    git = shutil.which("git")
    if git is None:
        pytest.skip("git not installed")
    subprocess.run([git, "apply", str(out / (SEED_003 + ".diff"))], cwd=work, check=True)
    assert (work / SEED_003).read_bytes() == (out / SEED_003).read_bytes()


def test_unsafe_fixes_only_on_request(tree, tmp_path):
    out = tmp_path / "out"
    assert run(tree, "--out", out, "--no-neural", "--unsafe-fixes", "--fail-on", "never").exit_code == 0
    assert "Meduza presented" in (out / "sub" / SEED_002).read_text(encoding="utf-8")


def test_in_place_needs_backup(tree):
    before = digest(tree)
    res = run(tree, "--in-place", "--no-neural")
    assert res.exit_code == 2 and "--in-place needs --backup" in res.stderr
    assert run(tree, "--backup", "--out", "x", "--no-neural").exit_code == 2
    assert run(tree, "--in-place", "--backup", "--out", "x", "--no-neural").exit_code == 2
    res = run(tree, "--no-neural")
    assert res.exit_code == 2 and "--out DIR" in res.stderr
    assert digest(tree) == before


def test_in_place_with_backup(tree):
    original = (tree / SEED_003).read_bytes()
    res = run(tree / SEED_003, "--in-place", "--backup", "--no-neural", "--fail-on", "never")
    assert res.exit_code == 0, res.output
    assert (tree / (SEED_003 + ".bak")).read_bytes() == original
    assert b"ISIL, a banned" in (tree / SEED_003).read_bytes()
    assert not list(tree.glob(".*.tmp"))


def test_exit_code_one_when_findings_are_left(tree, tmp_path):
    res = run(tree, "--out", tmp_path / "out", "--no-neural", "--fail-on", "info")
    assert res.exit_code == 1  # e.g. findings without a safe fix stay for an editor
    assert "left for an editor" in res.stderr


def test_an_unsafe_fix_left_out_of_a_fixed_sentence_stays_for_the_editor(tmp_path):
    """The sentence's safe fix is applied; its unsafe one is not, so that finding is left and
    counted, and the exit code says so (it once counted as fixed along with the safe one)."""
    story = tmp_path / "in" / "s.txt"
    story.parent.mkdir()
    story.write_text("Militants attack town\n\nThe LIH militants attacked the town, the defense Ministry said.\n",
                     encoding="utf-8")
    res = run(story, "--out", tmp_path / "out", "--no-neural", "--fail-on", "warning")
    fixed = (tmp_path / "out" / "s.txt").read_text(encoding="utf-8")
    assert "the Defense Ministry said" in fixed and "The LIH militants" in fixed
    assert res.exit_code == 1 and "1 rule fix" in res.stderr and "1 finding left for an editor" in res.stderr
    res = run(story, "--out", tmp_path / "out2", "--no-neural", "--unsafe-fixes", "--fail-on", "warning")
    assert res.exit_code == 0 and "LIH" not in (tmp_path / "out2" / "s.txt").read_text(encoding="utf-8")


def test_legacy_encoding_is_kept(tmp_path):
    story = tmp_path / "in" / "cp1251.txt"
    story.parent.mkdir()
    text = "Боевики LIH (ИГИЛ) атаковали позиции.\n\nMilitants of the Islamic State (LIH) attacked the Syrian army near Deir ez-Zor on Friday.\n"
    story.write_bytes(text.encode("cp1251"))
    out = tmp_path / "out"
    assert run(story.parent, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    cleaned = (out / "cp1251.txt").read_bytes().decode("cp1251")
    assert "Islamic State (ISIL) attacked" in cleaned and "Боевики" in cleaned


def test_bad_inputs_are_one_line_errors(tree, tmp_path):
    (tree / "junk.txt").write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    res = run(tree, tmp_path / "missing.txt", "--out", out, "--no-neural", "--fail-on", "never")
    assert res.exit_code == 2
    assert "binary file" in res.stderr and "no such file" in res.stderr
    assert "Traceback" not in res.output
    assert (out / "in" / SEED_003).is_file()  # the good stories are still written
    res = run(tree, "--out", tree / "cleaned", "--no-neural")
    assert res.exit_code == 2 and "inside the input" in res.stderr


@pytest.mark.slow
def test_fix_with_tiny_translation_models(tmp_path, monkeypatch, tmp_path_factory):
    tiny = mf.session_models(tmp_path_factory)
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny.cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    story = tmp_path / "in" / "story.txt"
    story.parent.mkdir()
    story.write_text(mf.STORY, encoding="utf-8")
    out = tmp_path / "out"
    res = run(story.parent, "--out", out, "--translator-en-ru", tiny.en_ru_id, "--translator-ru-en", tiny.ru_en_id, "--fail-on", "never")
    assert res.exit_code == 0, res.output
    assert "back-translation is off" not in res.stderr
    cleaned = (out / "story.txt").read_text(encoding="utf-8")
    assert story.read_text(encoding="utf-8") == mf.STORY  # the original is untouched
    assert "ISIL fighters attacked 25 positions near Deir ez-Zor." in cleaned  # safe rule fix
    assert "The Defense Ministry said" in cleaned and "100 fighters" in cleaned
    # the flagged sentence ("... Deir ez-Zor no.") is replaced only by an accepted rewrite,
    # which the per-file summary counts
    rewritten = "There are no Russian soldiers in the Syrian province of Deir ez-Zor." in cleaned
    kept = "Russian soldiers in the area of the Syrian province of Deir ez-Zor no." in cleaned
    # or the offline repair (mtcheck/rewrite/repairs/, bare-negation), in the same pool
    repaired = "There are no Russian soldiers in the area of the Syrian province of Deir ez-Zor." in cleaned
    assert rewritten + kept + repaired == 1
    # the split impersonal passive (X107) may get a repair of its own; the summary counts each
    passive_repaired = "The Defense Ministry said that the shelling was 25 wounded Syrian militias." not in cleaned
    rewrites = rewritten + repaired + passive_repaired
    assert f" {rewrites} rewrite{'s' * (rewrites != 1)}," in res.stderr
    assert (out / "story.txt.diff").is_file()


# A story whose rule fixes crowd one another: two in a word (glued words beside a lower-case
# month), neighbouring fixes, fixes in a heading and a repeated line, unsafe ones beside safe ones.
CROWDED = (
    "Syrian Democratic forces (SDS) saidthat in may2017 the defense Ministry,, spoke.\n\n"
    "In may the ministers saidthat in june they would meet in Moscow .\n\n"
    "In may the ministers saidthat in june they would meet in Moscow .\n\n"
    "According to Medusa , the  Kremlin saidthat nothing happened on 5 september.\n"
)


@pytest.mark.parametrize("unsafe", [False, True])
def test_rules_only_fix_needs_no_rewrite_records(unsafe):
    """`fix --no-neural` leaves the rewrite stage out (cli.fix): a sentence's only rewrite there is
    its rule fixes folded together. Applying those records must give what applying the rule fixes
    one by one gives: the text, the counts and the findings left, on every seed and a crowded story."""
    from mtcheck.changes import fix_story
    from mtcheck.config import Config
    from mtcheck.pipeline import Pipeline
    from mtcheck.settings import Settings

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + [CROWDED]
    base = Settings(config=Config(unsafe_fixes=unsafe), neural=False, parse=False)
    with_records, without = Pipeline(base.but(rewrite=True)), Pipeline(base.but(rewrite=False))
    folded = 0
    for text in texts:
        a, b = with_records.check_text(text), without.check_text(text)
        folded += sum(1 for s in a.sentences if s.rewrite)
        fa, fb = fix_story(a, unsafe=unsafe), fix_story(b, unsafe=unsafe)
        assert fa.text == fb.text
        assert (fa.rule_fixes, fa.rewrites, fa.changed) == (fb.rule_fixes, fb.rewrites, fb.changed)
        assert [(f.code, f.start, f.end) for f in fa.remaining] == [(f.code, f.start, f.end) for f in fb.remaining]
    assert folded >= 10  # the records were there to fold
