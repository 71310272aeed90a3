"""The README's rule table is generated from the rule definitions; it must not drift."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_rule_table_matches_rule_definitions():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "update_readme_rules.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_readme_starts_with_exactly_the_two_setup_commands_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert f"INSTALL='{block[0]}'" in ci and f"TEST='{block[1]}'" in ci
