"""``mtcheck scan --diff`` and the unified diffs the review export writes: valid for
``git apply``, coloured only on a terminal."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import SEED_003, SEEDS, rules_only_scanner

from mtcheck.cli import cli
from mtcheck.report.diff import colorize, render, unified_diff

ANSI = re.compile(r"\x1b\[[0-9;]*m")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git_apply(folder: Path, patch: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "apply", "--whitespace=nowarn", *extra, "-"], input=patch.encode("utf-8"),
                          cwd=folder, capture_output=True)


@needs_git
@pytest.mark.parametrize("old,new", [
    ("one\ntwo\nthree\n", "one\n2\nthree\n"),
    ("no newline at the end", "no newline at the end, changed"),
    ("a\r\nb LIH\r\nc\r\n", "a\r\nb ISIL\r\nc\r\n"),  # CRLF lines survive the round trip
    ("first\n" + "x\n" * 20 + "last line\n", "First\n" + "x\n" * 20 + "last line!\n"),  # two hunks
])
def test_unified_diff_applies_with_git(tmp_path, old, new):
    (tmp_path / "story.txt").write_bytes(old.encode())
    patch = unified_diff("story.txt", old, new)
    assert patch.startswith("diff --git a/story.txt b/story.txt\n--- a/story.txt\n+++ b/story.txt\n@@ ")
    done = git_apply(tmp_path, patch)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "story.txt").read_bytes() == new.encode()
    assert unified_diff("story.txt", old, old) == ""


@needs_git
def test_scan_diff_is_a_patch_of_the_safe_fixes(tmp_path, monkeypatch):
    story = tmp_path / "seeds" / SEED_003
    story.parent.mkdir()
    shutil.copy(SEEDS / SEED_003, story)
    original = story.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["scan", "--no-neural", "--diff", "--fail-on", "never", f"seeds/{SEED_003}"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    patch = result.output
    assert not ANSI.search(patch)  # not a terminal: no colour
    assert patch.startswith(f"diff --git a/seeds/{SEED_003} b/seeds/{SEED_003}\n")
    removed = [l for l in patch.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l for l in patch.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert any("(LIH," in l for l in removed) and any("(ISIL," in l for l in added)
    assert story.read_text(encoding="utf-8") == original  # scan never writes the story
    done = git_apply(tmp_path, patch)
    assert done.returncode == 0, done.stderr.decode()
    fixed = story.read_text(encoding="utf-8")
    assert "(ISIL," in fixed and "(LIH," not in fixed and "UN Security Council" in fixed


def test_scan_diff_matches_the_default_plan():
    from mtcheck.changes import apply_changes, default_changes, plan, suggestions

    results = list(rules_only_scanner().scan([str(SEEDS / SEED_003)]))
    text = results[0].document.text
    kept, _ = plan(text, default_changes(suggestions(results[0].document)))
    fixed = apply_changes(text, kept)
    assert "(ISIL," in fixed and "(LIH," not in fixed
    patch = render(results, color=False)
    assert patch == unified_diff(patch.splitlines()[0].split(" b/")[1], text, fixed)


def test_colour_marks_lines_and_changed_words_but_keeps_the_text():
    patch = unified_diff("s.txt", "keep\nmilitants of LIH attacked\n", "keep\nmilitants of ISIL attacked\n")
    coloured = colorize(patch)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == patch
    # The changed word is emphasised (reverse video) on both sides, the rest is not.
    assert "\x1b[7mLIH" in coloured and "\x1b[7mISIL" in coloured
    assert "\x1b[7mmilitants" not in coloured and "\x1b[27m" not in coloured


def test_an_accepted_rewrite_replaces_the_rule_fixes_of_its_sentence():
    results = list(rules_only_scanner().scan([str(SEEDS / SEED_003)]))
    doc = results[0].document
    sentence = next(s for s in doc.sentences if "LIH" in s.text)
    better = "Russia will call an emergency UN Security Council meeting after a coalition air raid on Syrian army positions near Deir ez-Zor."
    sentence.rewrite = {"text": better, "source": "backtranslation", "fix_score": 0.8, "accepted": True,
                                  "components": {}, "candidates": []}
    patch = render(results)
    added = [l[1:] for l in patch.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert better in added
    assert any("UN Security Council" in l for l in added if l != better)  # the title's fix still applies
    sentence.rewrite["accepted"] = False
    assert better not in render(results)
