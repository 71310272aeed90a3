"""Configuration: discovery by walking up, rule selection, severities, and malformed files."""

from __future__ import annotations

import pytest

from mtcheck.config import Config, ConfigError, find_config, load_config
from mtcheck.engine import Scanner
from mtcheck.findings import Severity
from mtcheck.rules import SelectorError, select_rules
from mtcheck.settings import Settings

LANGUAGE = {"L101", "L102", "L103", "L104", "L105", "L106"}
STORY = "Moscow called a meeting.\n\nThe head of Минобороны spoke in Mоscow on Monday.\n"


def mine(enabled) -> set[str]:
    """The language and syntax codes among ``enabled`` (other families are not this test's)."""
    return {c for c in enabled if c[0] in "LX"}


# -- discovery ------------------------------------------------------------------------------

def test_found_by_walking_up_from_the_scanned_path(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    story = deep / "story.txt"
    story.write_text("Text.")
    assert find_config(story) is None
    (tmp_path / "a" / "mtcheck.toml").write_text('ignore = ["L102"]\n')
    assert find_config(story) == tmp_path / "a" / "mtcheck.toml"
    # A nearer pyproject.toml wins, but only when it holds a [tool.mtcheck] table.
    (tmp_path / "a" / "b" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(story) == tmp_path / "a" / "mtcheck.toml"
    (tmp_path / "a" / "b" / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.mtcheck]\nselect = ["language"]\n')
    assert find_config(deep) == tmp_path / "a" / "b" / "pyproject.toml"
    # mtcheck.toml before pyproject.toml in the same folder.
    (tmp_path / "a" / "b" / "mtcheck.toml").write_text("")
    assert find_config(story) == tmp_path / "a" / "b" / "mtcheck.toml"


def test_pyproject_table_is_read(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.mtcheck]\nselect = ["language"]\nignore = ["L102"]\nfail-on = "warning"\n\n[tool.mtcheck.severity]\nL103 = "error"\n')
    cfg = load_config(path)
    assert (cfg.select, cfg.ignore, cfg.fail_on, cfg.severity) == (["language"], ["L102"], Severity.WARNING, {"L103": Severity.ERROR})
    assert cfg.path == str(path)


def test_cli_uses_the_config_above_the_scanned_file(tmp_path, cli):
    (tmp_path / "mtcheck.toml").write_text('select = ["language"]\nignore = ["L101"]\n')
    story = tmp_path / "news" / "story.txt"
    story.parent.mkdir()
    story.write_text(STORY, encoding="utf-8")
    result = cli("scan", story, "--no-neural")
    assert "L103" in result.stdout and "L101" not in result.stdout
    assert result.exit_code == 0  # L103 is a warning, the failure threshold is error
    # CLI flags override the file.
    result = cli("scan", story, "--no-neural", "--select", "L101")
    assert "L101" in result.stdout and "L103" not in result.stdout and result.exit_code == 1


def test_explicit_config_path(tmp_path, cli):
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text('select = ["L103"]\n')
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    result = cli("scan", story, "--no-neural", "--config", cfg)
    assert "L103" in result.stdout and "L101" not in result.stdout


# -- selection ------------------------------------------------------------------------------

@pytest.mark.parametrize("select, ignore, expected", [
    (["language"], [], LANGUAGE),
    (["language"], ["L102"], LANGUAGE - {"L102"}),
    (["L102"], ["language"], {"L102"}),  # the more specific selector wins
    (["L10"], ["L10"], set()),  # a tie goes to ignore
    (["L"], ["L10"], set()),  # ignore more specific than select
    (["L10"], ["L"], LANGUAGE),  # select more specific than ignore
    (["L101", "X102"], [], {"L101", "X102"}),
    (["ALL"], ["syntax", "L1"], set()),
    ([], ["syntax"], LANGUAGE),  # no select means all
])
def test_select_and_ignore(select, ignore, expected):
    assert mine(select_rules(select, ignore)) == expected


def test_extend_select_adds_to_the_selection():
    assert mine(select_rules(["L101"], [], ["X102"])) == {"L101", "X102"}


@pytest.mark.parametrize("selector", ["Z999", "L9", "grammar", "X1019"])
def test_unknown_selector_is_an_error(selector):
    with pytest.raises(SelectorError) as e:
        select_rules([selector])
    assert selector in str(e.value)


def test_severity_override_applies_to_findings():
    cfg = Config(select=["language"], severity={"L103": Severity.ERROR, "L101": Severity.INFO})
    doc = Scanner(Settings(config=cfg, neural=False, parse=False)).scan_text(STORY)
    by_code = {f.code: f.severity for f in doc.findings}
    assert by_code == {"L101": Severity.INFO, "L103": Severity.ERROR}


def test_severity_from_config_drives_the_exit_code(tmp_path, cli):
    story = tmp_path / "story.txt"
    story.write_text("Talks in Mоscow ended on Monday.\n", encoding="utf-8")
    assert cli("scan", story, "--no-neural", "--select", "L103").exit_code == 0
    (tmp_path / "mtcheck.toml").write_text('[severity]\nL103 = "error"\n')
    assert cli("scan", story, "--no-neural", "--select", "L103").exit_code == 1


# -- malformed configuration ----------------------------------------------------------------

@pytest.mark.parametrize("name, content, problem", [
    ("mtcheck.toml", 'select = ["language"\n', "malformed TOML"),
    ("mtcheck.toml", 'selct = ["language"]\n', "unknown setting 'selct'"),
    ("mtcheck.toml", 'select = "language"\n', "'select' must be list"),
    ("mtcheck.toml", "neural = 1\n", "'neural' must be bool"),
    ("mtcheck.toml", 'select = [1, 2]\n', "list of strings"),
    ("mtcheck.toml", '[severity]\nL101 = "fatal"\n', "unknown severity 'fatal'"),
    ("mtcheck.toml", 'fail-on = "sometimes"\n', "fail-on"),
    ("mtcheck.toml", '[quality]\nthreshold = true\n', "'quality.threshold' has the wrong type"),
    ("mtcheck.toml", '[quality]\nthreshhold = 0.5\n', "unknown setting 'quality.threshhold'"),
    ("mtcheck.toml", 'gazetteer = ["missing.toml"]\n', "gazetteer file not found"),
    ("pyproject.toml", '[tool.mtcheck]\nselect = ["language"]\nextra = 1\n', "unknown setting 'extra'"),
    ("pyproject.toml", '[tool.mtcheck\nselect = []\n', "malformed TOML"),
])
def test_malformed_config_is_one_line_naming_the_file(tmp_path, cli, name, content, problem):
    cfg = tmp_path / name
    cfg.write_text(content)
    from mtcheck.cli.common import config_sections

    with pytest.raises(ConfigError) as e:
        load_config(cfg, config_sections())
    assert str(cfg) in str(e.value) and problem in str(e.value)
    story = tmp_path / "story.txt"
    story.write_text("The talks ended.\n")
    result = cli("scan", story, "--no-neural")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(cfg) in lines[0] and problem in lines[0], result.stderr
    assert result.stdout == ""


def test_unknown_selector_in_config_names_the_file(tmp_path, cli):
    cfg = tmp_path / "mtcheck.toml"
    cfg.write_text('ignore = ["Q123"]\n')
    story = tmp_path / "story.txt"
    story.write_text("The talks ended.\n")
    result = cli("scan", story, "--no-neural")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and str(cfg) in result.stderr and "Q123" in result.stderr


def test_unknown_code_in_severity_table_is_an_error(tmp_path, cli):
    (tmp_path / "mtcheck.toml").write_text('[severity]\nL999 = "error"\n')
    story = tmp_path / "story.txt"
    story.write_text("The talks ended.\n")
    result = cli("scan", story, "--no-neural")
    assert result.exit_code == 2 and "L999" in result.stderr


# -- unfixable: findings reported, their fixes not offered -----------------------------------

FIXABLE = "Strike in Syria\n\nThe LIH militants attacked the town, the defense Ministry said.\n"


@pytest.mark.parametrize("unfixable", [["E101"], ["E1"], ["entity"], ["e101"]])
def test_unfixable_keeps_the_finding_and_drops_only_its_fix(unfixable):
    scanner = Scanner(Settings(config=Config(unfixable=unfixable), neural=False, parse=False))
    doc = scanner.scan_text(FIXABLE)
    by_code = {f.code: f for f in doc.findings}
    assert by_code["E101"].fix is None and by_code["E101"].suggestion is None  # no fix, nothing to make one of
    assert by_code["E101"].severity == Severity.ERROR and "ISIL" in by_code["E101"].message  # still reported, as it was
    assert by_code["S101"].fix is not None  # other rules keep theirs
    plain = Scanner(Settings(config=Config(), neural=False, parse=False))
    assert {f.code: f for f in plain.scan_text(FIXABLE).findings}["E101"].fix is not None
    assert scanner.pipeline.key() != plain.pipeline.key()  # the result store keeps the two apart


def test_unfixable_in_config_turns_the_fix_off_in_fix_diff_and_json(tmp_path, cli):
    import json

    story = tmp_path / "story.txt"
    text = "Strike in Syria\n\nThe LIH militants attacked the town, the defense Ministry said.\n"
    story.write_text(text, encoding="utf-8")
    before = json.loads(cli("scan", story, "--no-neural", "--format", "json").stdout)  # cached without it
    assert {f["rule"] for f in before["files"][0]["findings"] if "fix" in f} == {"E101", "S101"}
    cli("fix", story, "--no-neural", "--out", tmp_path / "was")
    assert "the Defense Ministry said" in (tmp_path / "was" / "story.txt").read_text(encoding="utf-8")  # a safe fix
    (tmp_path / "mtcheck.toml").write_text('unfixable = ["S101", "E1"]\n', encoding="utf-8")
    report = json.loads(cli("scan", story, "--no-neural", "--format", "json").stdout)
    found = {f["rule"]: f for f in report["files"][0]["findings"]}
    assert set(found) == {"E101", "S101"}  # still reported
    assert all("fix" not in f and f["suggestion"] is None and f["safe_fix"] is False for f in found.values())
    assert cli("scan", story, "--no-neural", "--diff").stdout == ""
    out = tmp_path / "out"
    for flags in ((), ("--unsafe-fixes",)):  # not even as an unsafe fix
        result = cli("fix", story, "--no-neural", "--out", out, *flags)
        assert result.exit_code == 1  # the error is left for an editor
        assert (out / "story.txt").read_text(encoding="utf-8") == text
        assert "0 rule fixes" in result.stderr and "2 findings left for an editor" in result.stderr
        assert '2 findings not fixable: `unfixable = ["S101", "E1"]`' in result.stderr
    # One rule's fix off, the other's on in the same sentence: the fix made of the rule fixes
    # does not count as addressing the finding whose fix is off.
    (tmp_path / "mtcheck.toml").write_text('unfixable = ["E1"]\n', encoding="utf-8")
    result = cli("fix", story, "--no-neural", "--out", out)
    assert (out / "story.txt").read_text(encoding="utf-8") == text.replace("defense Ministry", "Defense Ministry")
    assert result.exit_code == 1 and "1 finding left for an editor" in result.stderr


def test_unfixable_flag_adds_to_the_config_and_says_where_it_came_from(tmp_path, cli):
    import json

    story = tmp_path / "story.txt"
    story.write_text(FIXABLE, encoding="utf-8")
    report = json.loads(cli("scan", story, "--no-neural", "--format", "json", "--unfixable", "S1").stdout)
    assert {f["rule"] for f in report["files"][0]["findings"] if "fix" in f} == {"E101"}  # S101's fix off, E101's kept
    out = tmp_path / "out"
    result = cli("fix", story, "--no-neural", "--out", out, "--unfixable", "E101")
    assert (out / "story.txt").read_text(encoding="utf-8") == FIXABLE.replace("defense Ministry", "Defense Ministry")
    assert "1 finding not fixable: --unfixable E101 turns their fixes off" in result.stderr
    (tmp_path / "mtcheck.toml").write_text('unfixable = ["E1"]\n', encoding="utf-8")
    result = cli("fix", story, "--no-neural", "--out", tmp_path / "both", "--unfixable", "S101")
    assert (tmp_path / "both" / "story.txt").read_text(encoding="utf-8") == FIXABLE  # both turned off
    assert "2 findings not fixable: --unfixable S101 and `unfixable = [\"E1\"]` in " in result.stderr
    bad = cli("scan", story, "--no-neural", "--unfixable", "Q123")
    assert bad.exit_code == 2 and "Q123" in bad.stderr and "Traceback" not in bad.stderr


def test_unknown_selector_in_unfixable_names_the_file(tmp_path, cli):
    (tmp_path / "mtcheck.toml").write_text('unfixable = ["Q123"]\n', encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_text("The talks ended.\n")
    result = cli("fix", story, "--no-neural", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "Q123" in result.stderr and str(tmp_path / "mtcheck.toml") in result.stderr
