"""What a new user meets: `mtcheck rules FAMILY` in every format, the README's configuration
examples working as written, and long steps saying what they do off a terminal."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest

from mtcheck.rules import all_rules, families

ROOT = Path(__file__).resolve().parents[1]


# -- mtcheck rules FAMILY ---------------------------------------------------------------------------
@pytest.mark.parametrize("family", [f.name for f in families()])
def test_rules_lists_a_family_in_every_format(cli, family):
    codes = [r.code for r in all_rules() if r.category == family]
    text = cli("rules", family)
    assert text.exit_code == 0, text.output
    assert [line.split()[0] for line in text.stdout.splitlines()] == codes
    as_json = json.loads(cli("rules", family, "--format", "json").stdout)
    assert [r["code"] for r in as_json] == codes and all(r["category"] == family for r in as_json)
    table = cli("rules", family, "--format", "markdown").stdout.splitlines()
    assert [row.split("|")[1].strip() for row in table[2:]] == codes


def test_rules_takes_prefixes_and_codes_like_select(cli):
    assert [line.split()[0] for line in cli("rules", "e1").stdout.splitlines()] == [
        r.code for r in all_rules() if r.code.startswith("E1")]
    one = json.loads(cli("rules", "S105", "--format", "json").stdout)
    assert [r["code"] for r in one] == ["S105"] and one[0]["why"]
    assert "S105 shouted-word [style, warning]" in cli("rules", "s105").stdout
    bad = cli("rules", "stlye")
    assert bad.exit_code == 2 and "unknown rule 'stlye'" in bad.stderr and "style" in bad.stderr


# -- the README's configuration examples --------------------------------------------------------------
def readme_example(name: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = f"<!-- config-example: {name} -->\n```toml\n"
    assert marker in readme, f"README has no {name} example"
    return readme.split(marker, 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("name", ["pyproject.toml", "mtcheck.toml"])
def test_readme_config_examples_work_as_written(cli, tmp_path, name):
    (tmp_path / name).write_text(readme_example(name), encoding="utf-8")
    (tmp_path / "names").mkdir()
    (tmp_path / "names" / "my-names.tsv").write_text("ru\ten\ttype\nСДС\tSDF\tacronym\n", encoding="utf-8")
    (tmp_path / "wire" / "tass").mkdir(parents=True)
    story = tmp_path / "wire" / "tass" / "a.txt"
    story.write_text("Talks\n\nMilitants of the LIH staged a RAID. The us command agreed.\n", encoding="utf-8")
    result = cli("scan", story, "--no-neural", "--format", "json")  # found by walking up from the story
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    # Applied as written: S105 and E1 ignored in wire/tass, fail-on warning (S106 exits 1); the user's
    # gazetteer file is loaded (a malformed one would exit 2).
    assert {f["rule"] for f in report["files"][0]["findings"]} == {"S106"}
    assert {(f["rule"], f["suppressed_by"]) for f in report["files"][0]["suppressed"]} == {
        ("S105", "per-file-ignores"), ("E101", "per-file-ignores")}
    assert report["signature"]["per_file_ignores"]


def test_a_tool_table_in_mtcheck_toml_is_the_error_the_readme_describes(cli, tmp_path):
    (tmp_path / "mtcheck.toml").write_text(readme_example("pyproject.toml"), encoding="utf-8")
    (tmp_path / "a.txt").write_text("The talks ended.\n")
    result = cli("scan", tmp_path / "a.txt", "--no-neural")
    assert result.exit_code == 2 and "unknown setting 'tool'" in result.stderr


# -- long steps off a terminal --------------------------------------------------------------------------
def test_progress_off_a_terminal_says_once_what_it_is_doing():
    from mtcheck.progress import Progress

    stream = io.StringIO()
    with Progress("scan", stream=stream, notice=0.2) as progress:
        progress.start(1000)
        progress.update(12, 100)
        time.sleep(0.6)
        progress.update(1, 10)
        time.sleep(0.3)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"mtcheck: scan: 12/1,000 documents done after \d+ s; still working\.\.\.", lines[0])
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()  # no bar


def test_progress_of_a_short_step_prints_nothing():
    from mtcheck.progress import Progress

    stream = io.StringIO()
    with Progress("scan", stream=stream, notice=5.0) as progress:
        progress.start(3)
        progress.update(3, 30)
    time.sleep(0.1)
    assert stream.getvalue() == ""


def test_fluency_model_preparation_is_announced_off_a_terminal(capfd):
    from mtcheck.neural import fluency

    built = []
    run = fluency._announced(lambda out: built.append(out) or {"ok": True})
    assert run(Path("/nowhere")) == {"ok": True} and built == [Path("/nowhere")]
    assert capfd.readouterr().err == "mtcheck: preparing the fluency model (once, about 40 s)...\n"
