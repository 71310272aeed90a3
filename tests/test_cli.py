"""The command line: version, rules, help, exit codes, and the rules-only fast path."""

from __future__ import annotations

import json
import subprocess
import textwrap

import click
import pytest

from mtcheck import __version__
from mtcheck.rules import all_rules

WARNING_ONLY = "Talks in Mоscow ended on Monday.\n"  # L103 (warning)
WITH_ERROR = "The head of Минобороны spoke on Monday.\n"  # L101 (error)


def story(tmp_path, text: str, name: str = "story.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"mtcheck, version {__version__}"


def test_rules_lists_every_rule_with_category_severity_and_summary(cli):
    result = cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    rules = all_rules()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules):
        code, category, severity = line.split()[:3]
        assert (code, category, severity) == (rule.code, rule.category, str(rule.severity))
        assert rule.summary in line


def test_rules_explains_one_rule_and_refuses_an_unknown_one(cli):
    result = cli("rules", "x102")
    assert result.exit_code == 0
    assert "X102 bare-negation [syntax, warning]" in result.stdout and "Example:" in result.stdout
    result = cli("rules", "Q999")
    assert result.exit_code == 2 and "unknown rule 'Q999'" in result.stderr


def test_rules_json_is_the_rule_documentation(cli):
    items = json.loads(cli("rules", "--format", "json").stdout)
    assert [i["code"] for i in items] == [r.code for r in all_rules()]
    x104 = next(i for i in items if i["code"] == "X104")
    assert x104["needs"] == ["parse"] and x104["why"]


def test_scan_help_documents_every_option(cli):
    from mtcheck.cli.scan import scan

    result = cli("scan", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for param in scan.params:
        if isinstance(param, click.Option):
            assert param.help, f"{param.opts} has no help"
            for opt in param.opts:
                assert opt in text, opt
    assert "Exit codes" in text


def test_top_level_help_lists_subcommands_and_exit_codes(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "scan" in result.stdout and "rules" in result.stdout and "2  usage" in result.stdout


@pytest.mark.parametrize("text, fail_on, code", [
    (WARNING_ONLY, None, 0),  # default threshold: error
    (WARNING_ONLY, "warning", 1),
    (WARNING_ONLY, "info", 1),
    (WITH_ERROR, None, 1),
    (WITH_ERROR, "never", 0),
    ("The talks ended on Monday.\n", "info", 0),
])
def test_fail_on_sets_the_exit_code(cli, tmp_path, text, fail_on, code):
    args = ["scan", story(tmp_path, text), "--no-neural", "--select", "language"]
    if fail_on:
        args += ["--fail-on", fail_on]
    assert cli(*args).exit_code == code


def test_input_errors_win_over_findings(cli, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("scan", story(tmp_path, WITH_ERROR), tmp_path / "empty.txt", "--no-neural", "--select", "language")
    assert result.exit_code == 2 and "L101" in result.stdout


@pytest.mark.parametrize("option, value", [("--select", "Z999"), ("--ignore", "L9"), ("--extend-select", "grammar"), ("--select", "L101,bogus")])
def test_unknown_selector_is_a_usage_error(cli, tmp_path, option, value):
    result = cli("scan", story(tmp_path, WITH_ERROR), "--no-neural", option, value)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "unknown rule selector" in result.stderr
    assert result.stdout == ""


def test_bad_option_values_are_usage_errors(cli, tmp_path):
    path = story(tmp_path, WITH_ERROR)
    for args in (["--format", "xml"], ["--fail-on", "fatal"], ["--bogus"]):
        result = cli("scan", path, "--no-neural", *args)
        assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert cli("scan").exit_code == 2  # PATHS is required


def test_comma_separated_and_repeated_selectors(cli, tmp_path):
    path = story(tmp_path, WITH_ERROR + WARNING_ONLY)
    result = cli("scan", path, "--no-neural", "--select", "L101,L103", "--format", "json")
    assert sorted(f["rule"] for f in json.loads(result.stdout)["files"][0]["findings"]) == ["L101", "L103"]
    result = cli("scan", path, "--no-neural", "--select", "language", "--ignore", "L101", "--ignore", "L102", "--format", "json")
    assert [f["rule"] for f in json.loads(result.stdout)["files"][0]["findings"]] == ["L103"]


def test_output_file_is_written(cli, tmp_path):
    out = tmp_path / "reports" / "scan.json"
    result = cli("scan", story(tmp_path, WITH_ERROR), "--no-neural", "--format", "json", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] >= 1


# -- real processes -------------------------------------------------------------------------

DRIVER = textwrap.dedent("""
    import sys
    from mtcheck.cli import cli
    try:
        cli(sys.argv[1:], prog_name="mtcheck")
    except SystemExit as e:
        code = e.code
    heavy = sorted(m for m in ("torch", "transformers", "spacy", "sentence_transformers", "sklearn") if m in sys.modules)
    print("HEAVY=" + ",".join(heavy), file=sys.stderr)
    sys.exit(code)
""")


def run_driver(python, env, *args):
    return subprocess.run([python, "-c", DRIVER, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


def test_rules_only_scan_imports_no_model_framework(python, subprocess_env, seeds_dir):
    out = run_driver(python, subprocess_env, "scan", seeds_dir, "--no-neural")
    assert out.returncode == 1, out.stderr[-2000:]
    assert out.stderr.strip().splitlines()[-1] == "HEAVY=", out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    assert out.stdout.rstrip().endswith("sentences flagged.")
    out = run_driver(python, subprocess_env, "--help")
    assert out.returncode == 0 and out.stderr.strip() == "HEAVY="


@pytest.mark.slow
def test_parse_scan_loads_spacy_but_not_torch(python, subprocess_env, seeds_dir):
    out = run_driver(python, subprocess_env, "scan", seeds_dir, "--no-neural", "--parse", "--select", "syntax")
    assert out.returncode == 0, out.stderr[-2000:]  # syntax findings are warnings
    assert out.stderr.strip().splitlines()[-1] == "HEAVY=spacy"
    assert "X104" in out.stdout and "X102" in out.stdout


def test_console_script_reports_bad_input_without_a_traceback(tmp_path, subprocess_env):
    import shutil
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "mtcheck"
    if not exe.exists():
        exe = shutil.which("mtcheck")
    if not exe:
        pytest.skip("the mtcheck console script is not installed")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    good = story(tmp_path, "The talks ended on Monday.\n", "good.txt")
    out = subprocess.run([str(exe), "scan", str(tmp_path), "--no-neural"], capture_output=True, text=True, timeout=120, env=subprocess_env)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"mtcheck: {tmp_path / 'image.txt'}: binary file, not text; skipped"]
    assert "1 file scanned; 1 skipped" in out.stdout and good.name not in out.stderr
