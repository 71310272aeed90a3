"""The repository's ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` tool against a
temporary git repository of stories, as a desk would use it.

``pre-commit try-repo`` clones the committed state of a hooks repository. The test does not
point it at this checkout (its HEAD may predate uncommitted work, and a clone of it is large):
it commits this checkout's ``.pre-commit-hooks.yaml`` alone into a fresh repository, which is
all a ``language: system`` hook repository needs. The ``mtcheck`` the hooks run is the one
beside the interpreter running the tests (the project venv), put first on PATH."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
VENV_BIN = Path(sys.executable).parent

CLEAN_STORY = (
    "Russia calls for talks\n\n"
    "Moscow (Reuters) - Russia called on Monday for new talks on the conflict in Syria, the Foreign Ministry said.\n\n"
    "The ministry said the talks should begin next week.\n"
)
LIH_STORY = (
    "Strikes near Deir ez-Zor\n\n"
    "Militants of the Islamic State (LIH, a banned terrorist organization) attacked the city on Sunday.\n"
)

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                       reason="pre-commit is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(not (VENV_BIN / "mtcheck").exists() and shutil.which("mtcheck") is None,
                       reason="no mtcheck command installed"),
    pytest.mark.timeout(300),
]


@pytest.fixture
def env(tmp_path) -> dict:
    """pre-commit's and mtcheck's caches in the test's folder; no user or system git config
    (a global hooksPath or signing setting would change what git does)."""
    git_config = tmp_path / "gitconfig"
    git_config.write_text("[user]\n\tname = Test Desk\n\temail = desk@example.invalid\n[init]\n\tdefaultBranch = main\n")
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "MTCHECK_CACHE_DIR": str(tmp_path / "mtcheck-cache"),
        "GIT_CONFIG_GLOBAL": str(git_config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }


def git(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)


def pre_commit(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture
def hooks_repo(tmp_path, env) -> Path:
    """A git repository holding this checkout's hook definitions, committed."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    shutil.copy(HOOKS_FILE, repo / ".pre-commit-hooks.yaml")
    git(["init", "-q"], repo, env)
    git(["add", ".pre-commit-hooks.yaml"], repo, env)
    git(["commit", "-q", "-m", "hooks"], repo, env)
    return repo


def stories_repo(tmp_path: Path, env: dict, files: dict[str, str]) -> Path:
    repo = tmp_path / "desk"
    repo.mkdir()
    git(["init", "-q"], repo, env)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(["add", "."], repo, env)
    return repo


def test_the_hooks_file_declares_both_hooks_as_system_hooks():
    import yaml  # pre-commit's own dependency

    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}
    assert set(hooks) == {"mtcheck", "mtcheck-fix"}
    assert all(h["language"] == "system" for h in hooks.values())
    assert "--no-neural" in hooks["mtcheck"]["entry"].split()
    assert {"--in-place", "--backup", "--no-neural"} <= set(hooks["mtcheck-fix"]["entry"].split())


def test_a_clean_story_passes_and_other_files_are_not_checked(tmp_path, env, hooks_repo):
    # A Python file holding "LIH" is no story: the hook's file types keep it out.
    desk = stories_repo(tmp_path, env, {"stories/clean.txt": CLEAN_STORY, "stories/clean.md": "# " + CLEAN_STORY,
                                        "tools/notes.py": "# LIH is what the wire wrote\n"})
    proc = pre_commit(["try-repo", str(hooks_repo), "mtcheck", "--all-files"], desk, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
    assert "E101" not in out


def test_a_story_with_a_transliterated_acronym_fails_the_commit_check(tmp_path, env, hooks_repo):
    desk = stories_repo(tmp_path, env, {"clean.txt": CLEAN_STORY, "strikes.txt": LIH_STORY})
    proc = pre_commit(["try-repo", str(hooks_repo), "mtcheck", "--all-files"], desk, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out
    assert "strikes.txt:3:33: E101" in out and '"LIH"' in out and "ISIL" in out
    assert "clean.txt:" not in out.replace("strikes.txt", "")
    # A scan never touches the story.
    assert (desk / "strikes.txt").read_text(encoding="utf-8") == LIH_STORY


def test_the_fix_hook_rewrites_the_story_keeps_a_backup_and_fails_for_review(tmp_path, env, hooks_repo):
    desk = stories_repo(tmp_path, env, {"clean.txt": CLEAN_STORY, "strikes.txt": LIH_STORY})
    proc = pre_commit(["try-repo", str(hooks_repo), "mtcheck-fix", "--all-files"], desk, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "files were modified by this hook" in out
    fixed = (desk / "strikes.txt").read_text(encoding="utf-8")
    assert fixed == LIH_STORY.replace("LIH", "ISIL")
    assert (desk / "strikes.txt.bak").read_text(encoding="utf-8") == LIH_STORY
    # The untouched story got neither a rewrite nor a backup.
    assert (desk / "clean.txt").read_text(encoding="utf-8") == CLEAN_STORY
    assert not (desk / "clean.txt.bak").exists()
    # What git shows the user to review is exactly the fix.
    diff = git(["diff", "--", "strikes.txt"], desk, env).stdout
    assert "-Militants of the Islamic State (LIH," in diff and "+Militants of the Islamic State (ISIL," in diff

    # Reviewed and staged, the story passes both hooks.
    git(["add", "strikes.txt"], desk, env)
    for hook in ("mtcheck", "mtcheck-fix"):
        again = pre_commit(["try-repo", str(hooks_repo), hook, "--all-files"], desk, env)
        assert again.returncode == 0, again.stdout + again.stderr


def test_an_installed_hook_blocks_the_commit(tmp_path, env, hooks_repo):
    """The way a desk uses it: a .pre-commit-config.yaml naming the hook repository at a
    revision, `pre-commit install`, then `git commit`."""
    desk = stories_repo(tmp_path, env, {"strikes.txt": LIH_STORY})
    rev = git(["rev-parse", "HEAD"], hooks_repo, env).stdout.strip()
    (desk / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks_repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: mtcheck\n", encoding="utf-8")
    git(["add", ".pre-commit-config.yaml"], desk, env)
    installed = pre_commit(["install"], desk, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    commit = subprocess.run(["git", "commit", "-m", "strikes"], cwd=desk, env=env, capture_output=True, text=True, timeout=240)
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "E101" in commit.stdout + commit.stderr
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=desk, env=env,
                          capture_output=True).returncode != 0, "the commit went through"

    (desk / "strikes.txt").write_text(LIH_STORY.replace("LIH", "ISIL"), encoding="utf-8")
    git(["add", "strikes.txt"], desk, env)
    commit = subprocess.run(["git", "commit", "-m", "strikes"], cwd=desk, env=env, capture_output=True, text=True, timeout=240)
    assert commit.returncode == 0, commit.stdout + commit.stderr
