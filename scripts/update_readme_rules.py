"""Regenerate the README's rule table from the rule definitions (`mtcheck rules --format markdown`).

    python scripts/update_readme_rules.py          # rewrite README.md in place
    python scripts/update_readme_rules.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_table() -> str:
    from mtcheck.cli.rules_cmd import markdown_table
    from mtcheck.rules import all_rules

    return markdown_table(all_rules())


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{rules_table()}\n{END}{tail}"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md rule table is out of date: run python scripts/update_readme_rules.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
