"""Nothing stalled (issue 10, items 13 and 14, configuration part): a settings file that is a
FIFO, not UTF-8, binary, nested thousands of levels deep, or holds absurd numbers is one line
on stderr and exit 2, never a hang or a traceback; an unrelated broken pyproject.toml above
the stories is skipped with a warning instead of breaking every command below it."""

from __future__ import annotations

import os
import subprocess

import pytest

from mtcheck.config import MAX_JOBS, ConfigError, load_config


@pytest.fixture
def story(tmp_path):
    folder = tmp_path / "desk" / "today"
    folder.mkdir(parents=True)
    p = folder / "story.txt"
    p.write_text("The talks ended on Monday.\n", encoding="utf-8")
    return p


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mtcheck: error: ") and "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_config_fifo_is_refused_not_read(story, tmp_path, python, subprocess_env):
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)  # nobody ever writes to it: reading it would block for ever
    proc = subprocess.run([python, "-m", "mtcheck", "scan", str(story), "--no-neural", "--config", str(fifo)],
                          capture_output=True, text=True, timeout=30, env=subprocess_env)
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert str(fifo) in line and "not a regular file" in line
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(fifo)


def _limited():  # a regression must fail the test, not eat the machine's memory
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_config_device_is_refused(story, python, subprocess_env):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    proc = subprocess.run([python, "-m", "mtcheck", "scan", str(story), "--no-neural", "--config", "/dev/zero"],
                          capture_output=True, text=True, timeout=30, env=subprocess_env, preexec_fn=_limited)
    assert proc.returncode == 2 and "not a regular file" in one_line_error(proc)


DEEP_ARRAY = "x = " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_TABLE = "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"


@pytest.mark.parametrize("content, problem", [
    (b'select = ["\xe9ntity"]\n', "not UTF-8 text"),  # Latin-1 from an old editor
    (b"\xff\xfes\x00e\x00l\x00", "not UTF-8 text"),  # UTF-16
    (bytes(range(256)) * 8, "not UTF-8 text"),  # binary
    (b"\x00\x00\x00\x00select = []\n", "malformed TOML"),  # NULs: valid UTF-8, not TOML
    (DEEP_ARRAY.encode(), "nested too deeply"),
    (DEEP_TABLE.encode(), "nested too deeply"),
    (b"jobs = 99999999999999999999\n", f"'jobs' must be between 0 and {MAX_JOBS}"),
    (b"jobs = -1\n", f"'jobs' must be between 0 and {MAX_JOBS}"),
    (b"jobs = 513\n", f"'jobs' must be between 0 and {MAX_JOBS}"),
    (b"[translation]\nbeam-size = 0\n", "'translation.beam-size' must be between 1"),
    (b"[gate]\nmax-errors = 99999999999999999999\n", "'gate.max-errors' is out of range"),
    (b"[quality]\nthreshold = nan\n", "'quality.threshold' must be a number, got nan"),
    (b'[review]\nreviewer = "a\\u0000b"\n', "contains a NUL character"),
], ids=["latin1", "utf16", "binary", "nul", "deep-array", "deep-table", "jobs-huge", "jobs-negative",
        "jobs-too-many", "beam-zero", "gate-int-huge", "nan", "nul-string"])
def test_hostile_mtcheck_toml_is_one_line_and_exit_2(story, cli, content, problem):
    cfg = story.parent.parent / "mtcheck.toml"
    cfg.write_bytes(content)
    for command in (("scan", story, "--no-neural"), ("fix", story, "--out", story.parent.parent / "out", "--no-neural")):
        res = cli(*command)
        assert res.exit_code == 2, res.stderr
        line = one_line_error(res)
        assert str(cfg) in line and problem in line, line
    assert not (story.parent.parent / "out").exists()
    assert cfg.read_bytes() == content


def test_jobs_in_range_is_accepted(story, tmp_path):
    cfg = tmp_path / "mtcheck.toml"
    for jobs in (0, 1, MAX_JOBS):
        cfg.write_text(f"jobs = {jobs}\n")
        assert load_config(cfg).jobs == jobs


@pytest.mark.parametrize("content, why", [
    (b'[project]\nname = "d\xe9p\xf4t"\n', "not UTF-8 text"),
    (b'[project\nname = "broken"\n', "malformed TOML"),
    (("[project]\nx = " + "[" * 3000 + "]" * 3000 + "\n").encode(), "malformed TOML"),
], ids=["latin1", "malformed", "deep"])
def test_unrelated_broken_pyproject_above_is_skipped_with_a_warning(story, cli, content, why):
    # The desk's settings sit above an unrelated project's pyproject.toml: the walk goes on past it.
    desk = story.parent.parent
    story.write_text("Talks in M\u043escow ended on Monday.\n", encoding="utf-8")  # a Cyrillic o: L103
    (desk.parent / "mtcheck.toml").write_text('[severity]\nL103 = "error"\n')
    pyproject = desk / "pyproject.toml"
    pyproject.write_bytes(content)
    res = cli("scan", story, "--no-neural", "--select", "L103")
    assert res.exit_code == 1, res.stderr  # the desk's severity applied: its settings were found
    assert "L103" in res.stdout
    warnings = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("mtcheck: warning: ")
    assert str(pyproject) in warnings[0] and "skipped" in warnings[0] and why in warnings[0]
    assert pyproject.read_bytes() == content


def test_broken_pyproject_that_holds_our_table_is_an_error(story, cli):
    pyproject = story.parent.parent / "pyproject.toml"
    pyproject.write_bytes(b'[tool.mtcheck]\nselect = ["\xe9ntity"]\n')  # ours, so not skipped
    res = cli("scan", story, "--no-neural")
    assert res.exit_code == 2
    line = one_line_error(res)
    assert str(pyproject) in line and "not UTF-8 text" in line


def test_pyproject_with_tool_not_a_table(story, cli):
    pyproject = story.parent.parent / "pyproject.toml"
    pyproject.write_text('tool = "mtcheck"\n')
    assert cli("scan", story, "--no-neural").exit_code == 0  # not ours: no table named mtcheck
    res = cli("scan", story, "--no-neural", "--config", pyproject)
    assert res.exit_code == 2 and "'tool' must be a table" in one_line_error(res)


def test_deep_config_error_is_quick_and_short(story, python, subprocess_env):
    cfg = story.parent.parent / "mtcheck.toml"
    cfg.write_text(DEEP_ARRAY)
    proc = subprocess.run([python, "-m", "mtcheck", "scan", str(story), "--no-neural"],
                          capture_output=True, text=True, timeout=30, env=subprocess_env)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr[:2000]
