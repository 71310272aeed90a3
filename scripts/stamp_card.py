"""Record in a model card which artifacts it describes: each one's packaged path and sha256, one
line per artifact (a model fitted per kernel family has one per family).

    python scripts/stamp_card.py models/QUALITY_CARD.md mtcheck/data/models/quality.json

The training scripts call ``stamp`` after writing an artifact; ``tests/test_packaging.py``
checks that every card names the sha256 of the artifact installed with the package.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

LINE = re.compile(r"^Artifact: `([^`]+)` \(sha256 `[0-9a-f]{64}`\)\n?", re.M)


def line_for(artifact: Path) -> str:
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    rel = artifact.resolve().as_posix()
    rel = rel[rel.index("mtcheck/data/"):] if "mtcheck/data/" in rel else artifact.name
    return f"Artifact: `{rel}` (sha256 `{digest}`)\n"


def stamp(card: Path, artifact: Path) -> None:
    text = card.read_text(encoding="utf-8")
    new = line_for(artifact)
    lines = list(LINE.finditer(text))
    same = [m for m in lines if m.group(1) == new.split("`")[1]]
    if same:
        text = text[:same[0].start()] + new + text[same[0].end():]
    elif lines:  # after the card's other artifact lines
        text = text[:lines[-1].end()] + new + text[lines[-1].end():]
    else:  # after the title line
        head, _, rest = text.partition("\n")
        text = f"{head}\n\n{new}{rest}"
    card.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    stamp(Path(sys.argv[1]), Path(sys.argv[2]))
