"""Nothing lost (issue 10, items 1-3 and the file parts of 15): ``fix --out`` never lands on
an input however the paths are spelled; ``fix --in-place --backup`` keeps old backups, mode,
owner, times, symlinks and hard links, and refuses read-only stories unless ``--force``; every
file mtcheck creates follows the umask and a replaced one keeps its mode; temporaries a kill
left behind are swept; control characters in file names never reach the terminal raw."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from mtcheck.fsutil import atomic_write

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_003 = "003_ffa3510338295b69.txt"  # has safe rule fixes: `fix` changes it
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def story_dir(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SEEDS / SEED_003, d / "story.txt")
    return d


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


def one_error_line(res) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("mtcheck: error: "), res.stderr
    return lines[0]


# -- 1. fix --out onto an input -----------------------------------------------------------

def _case_dot(d: Path, monkeypatch):
    monkeypatch.chdir(d)  # cd dir && mtcheck fix story.txt --out .
    return ["story.txt", "--out", "."]


def _case_same_folder(d: Path, monkeypatch):
    monkeypatch.chdir(d.parent)  # fix dir/s.txt --out dir
    return [f"{d.name}/story.txt", "--out", d.name]


def _case_out_is_a_link(d: Path, monkeypatch):
    (d.parent / "link").symlink_to(d, target_is_directory=True)  # --out is a symlink to the input folder
    return [str(d / "story.txt"), "--out", str(d.parent / "link")]


def _case_input_through_a_link(d: Path, monkeypatch):
    (d.parent / "link").symlink_to(d, target_is_directory=True)  # input via a link, --out its real folder
    return [str(d.parent / "link" / "story.txt"), "--out", str(d)]


def _case_dotdot(d: Path, monkeypatch):
    (d / "sub").mkdir()
    monkeypatch.chdir(d / "sub")
    return ["../story.txt", "--out", "../sub/.."]


@pytest.mark.parametrize("case", [_case_dot, _case_same_folder, _case_out_is_a_link, _case_input_through_a_link, _case_dotdot],
                         ids=["dot", "same-folder", "out-link", "input-link", "dotdot"])
def test_fix_out_onto_its_own_input_is_refused(story_dir, monkeypatch, cli, case):
    args = case(story_dir, monkeypatch)
    before = digest(story_dir)
    res = cli("fix", *args, "--no-neural", "--fail-on", "never")
    assert res.exit_code == 2
    line = one_error_line(res)
    assert "would overwrite the input" in line and "story.txt" in line
    assert digest(story_dir) == before  # nothing written: no copy, no .diff, no temporary
    assert not list(story_dir.rglob(".*.tmp"))


def test_fix_out_onto_a_hard_link_of_an_input_is_refused(story_dir, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    os.link(story_dir / "story.txt", out / "story.txt")  # same device and inode as the input
    before = digest(story_dir)
    res = cli("fix", story_dir / "story.txt", "--out", out, "--no-neural", "--fail-on", "never")
    assert res.exit_code == 2 and "would overwrite the input" in one_error_line(res)
    assert digest(story_dir) == before
    assert os.stat(out / "story.txt").st_ino == os.stat(story_dir / "story.txt").st_ino


def test_fix_out_elsewhere_still_works(story_dir, tmp_path, cli):
    before = digest(story_dir)
    res = cli("fix", story_dir / "story.txt", "--out", tmp_path / "out", "--no-neural", "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    assert digest(story_dir) == before
    assert (tmp_path / "out" / "story.txt").read_bytes() != (story_dir / "story.txt").read_bytes()


# -- 2. fix --in-place --backup -------------------------------------------------------------

def in_place(cli, *paths, extra=()):
    return cli("fix", *paths, "--in-place", "--backup", *extra, "--no-neural", "--fail-on", "never")


def test_existing_backups_are_never_overwritten(story_dir, cli):
    story = story_dir / "story.txt"
    original = story.read_bytes()
    (story_dir / "story.txt.bak").write_bytes(b"last week's backup\n")
    res = in_place(cli, story)
    assert res.exit_code == 0, res.stderr
    assert (story_dir / "story.txt.bak").read_bytes() == b"last week's backup\n"
    assert (story_dir / "story.txt.bak.1").read_bytes() == original
    assert "backup " + str(story) + ".bak.1" in res.stderr
    fixed_once = story.read_bytes()
    story.write_bytes(original)  # the story comes back unfixed; a second run takes the next name
    assert in_place(cli, story).exit_code == 0
    assert (story_dir / "story.txt.bak.1").read_bytes() == original
    assert (story_dir / "story.txt.bak.2").read_bytes() == original
    assert story.read_bytes() == fixed_once


def test_in_place_keeps_mode_owner_and_the_backups_times(story_dir, cli):
    story = story_dir / "story.txt"
    os.chmod(story, 0o664)
    if IS_ROOT:
        os.chown(story, 1234, 2345)
    old = time.time() - 86400 * 400
    os.utime(story, (old, old))
    before = os.stat(story)
    original = story.read_bytes()
    res = in_place(cli, story)
    assert res.exit_code == 0, res.stderr
    after, bak = os.stat(story), os.stat(story_dir / "story.txt.bak")
    assert (story_dir / "story.txt.bak").read_bytes() == original and story.read_bytes() != original
    assert stat.S_IMODE(after.st_mode) == 0o664 and stat.S_IMODE(bak.st_mode) == 0o664
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert (bak.st_uid, bak.st_gid) == (before.st_uid, before.st_gid)
    assert bak.st_mtime_ns == before.st_mtime_ns  # the backup says when the original was written


def test_a_symlinked_story_is_written_through(story_dir, tmp_path, cli):
    real = story_dir / "story.txt"
    original = real.read_bytes()
    link_dir = tmp_path / "desk"
    link_dir.mkdir()
    link = link_dir / "story.txt"
    link.symlink_to(real)
    res = in_place(cli, link)
    assert res.exit_code == 0, res.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link survives
    assert real.read_bytes() != original  # its target holds the fix
    assert (link_dir / "story.txt.bak").read_bytes() == original
    assert not (link_dir / "story.txt.bak").is_symlink()


def test_a_hard_linked_story_keeps_its_links(story_dir, tmp_path, cli):
    story = story_dir / "story.txt"
    other = tmp_path / "other-name.txt"
    os.link(story, other)
    original = story.read_bytes()
    res = in_place(cli, story)
    assert res.exit_code == 0, res.stderr
    assert os.stat(story).st_ino == os.stat(other).st_ino and os.stat(story).st_nlink == 2
    assert other.read_bytes() == story.read_bytes() != original
    assert (story_dir / "story.txt.bak").read_bytes() == original


def test_a_read_only_story_is_refused_unless_forced(story_dir, cli):
    story = story_dir / "story.txt"
    os.chmod(story, 0o444)  # refused by its mode bits, also for root (whom open() never stops)
    before = digest(story_dir)
    res = in_place(cli, story)
    assert res.exit_code == 2
    errors = [ln for ln in res.stderr.splitlines() if "error:" in ln and "read-only" in ln]
    assert len(errors) == 1 and "--force" in errors[0] and "0444" in errors[0], res.stderr
    assert digest(story_dir) == before and not (story_dir / "story.txt.bak").exists()

    res = in_place(cli, story, extra=["--force"])
    assert res.exit_code == 0, res.stderr
    assert story.read_bytes() != (story_dir / "story.txt.bak").read_bytes()
    assert mode(story) == 0o444 and mode(story_dir / "story.txt.bak") == 0o444


def test_force_only_goes_with_in_place(story_dir, tmp_path, cli):
    res = cli("fix", story_dir, "--out", tmp_path / "out", "--force", "--no-neural")
    assert res.exit_code == 2 and "--force only goes with --in-place" in one_error_line(res)
    assert not (tmp_path / "out").exists()


def test_fix_help_documents_backup_numbering_and_force(cli):
    text = " ".join(cli("fix", "--help").stdout.split())
    assert "<file>.bak.1" in text and "never replaced" in text and "--force" in text


# -- 3. modes of the files mtcheck writes ----------------------------------------------------

@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_follow_the_umask(story_dir, tmp_path, cli, umask, mask, expected):
    umask(mask)
    out = tmp_path / "out"
    assert cli("fix", story_dir, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    assert mode(out / "story.txt") == expected and mode(out / "story.txt.diff") == expected
    report = tmp_path / "report.json"
    res = cli("scan", story_dir, "--no-neural", "--format", "json", "-o", report, "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    assert mode(report) == expected
    atomic_write(tmp_path / "gate-report.json", "{}\n")  # what the gate and the review export call
    assert mode(tmp_path / "gate-report.json") == expected
    story = story_dir / "story.txt"
    assert in_place(cli, story).exit_code == 0
    assert mode(story_dir / "story.txt.bak") == mode(story)  # a backup is as private as its original


def test_a_replaced_file_keeps_its_mode(story_dir, tmp_path, cli, umask):
    umask(0o022)
    report = tmp_path / "report.txt"
    report.write_text("old report\n")
    os.chmod(report, 0o640)
    assert cli("scan", story_dir, "--no-neural", "-o", report, "--fail-on", "never").exit_code == 0
    assert mode(report) == 0o640 and "finding" in report.read_text()
    out = tmp_path / "out"
    assert cli("fix", story_dir, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    os.chmod(out / "story.txt", 0o600)
    assert cli("fix", story_dir, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    assert mode(out / "story.txt") == 0o600


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    written = atomic_write(link, "new")
    assert written == target and link.is_symlink() and target.read_text() == "new" and mode(target) == 0o640


def test_atomic_write_exclusive_never_replaces(tmp_path):
    p = tmp_path / "x.bak"
    p.write_text("keep")
    with pytest.raises(FileExistsError):
        atomic_write(p, "other", exclusive=True)
    (tmp_path / "dangling.bak").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        atomic_write(tmp_path / "dangling.bak", "other", exclusive=True)
    assert p.read_text() == "keep" and not (tmp_path / "nowhere").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_atomic_write_replace_links_never_writes_through(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text("theirs")
    planted = tmp_path / "report.json"
    planted.symlink_to(outside)
    atomic_write(planted, "ours", replace_links=True)
    assert not planted.is_symlink() and planted.read_text() == "ours" and outside.read_text() == "theirs"


@pytest.mark.parametrize("stem", ["a" * 250, "ж" * 124 + "x", os.fsdecode(b"\xff" * 245)])
def test_atomic_write_takes_names_at_the_length_limit(tmp_path, stem):
    # The temporary name is cut to fit a folder entry, on a character boundary.
    path = tmp_path / (stem + ".txt")
    assert len(os.fsencode(path.name)) <= 255
    atomic_write(path, "text")
    assert path.read_text() == "text"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# -- 15. stale temporaries and control characters ------------------------------------------

def test_stale_temporaries_are_swept_on_the_next_write(story_dir, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    two_hours_ago = time.time() - 7200
    stale = out / ".story.txt.k3x9_a0b.tmp"  # what a kill between create and rename leaves
    fresh = out / ".story.txt.q1w2e3r4.tmp"  # maybe another run writing right now
    foreign = [out / ".notes.tmp", out / "story.tmp", out / ".story.txt.SHORT.tmp", out / ".x.ABCDEFGH.tmp"]
    for p in (stale, fresh, *foreign):
        p.write_text("partial")
    for p in (stale, *foreign):
        os.utime(p, (two_hours_ago, two_hours_ago))
    assert cli("fix", story_dir, "--out", out, "--no-neural", "--fail-on", "never").exit_code == 0
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in foreign)  # only ours, and only old ones


def test_control_characters_in_file_names_are_escaped(tmp_path, cli):
    folder = tmp_path / "stories"
    folder.mkdir()
    evil = "story\x1b]0;pwned\x07\x1b[2J.txt"
    shutil.copy(SEEDS / SEED_003, folder / evil)
    (folder / "bin\x1b[31m.txt").write_bytes(b"\x00\x01\x02\xff" * 200)  # unreadable: a warning names it
    res = cli("scan", folder, "--no-neural", "--fail-on", "never")
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert "\x1b" not in res.stderr
    assert "story\\x1b]0;pwned\\x07\\x1b[2J.txt:" in res.stdout  # shown, escaped
    assert "bin\\x1b[31m.txt" in res.stderr
