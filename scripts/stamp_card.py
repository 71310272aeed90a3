"""Record in a model card which artifact it describes: its packaged path and sha256.

    python scripts/stamp_card.py models/QUALITY_CARD.md mtcheck/data/models/quality.json

The training scripts call ``stamp`` after writing an artifact; ``tests/test_packaging.py``
checks that every card names the sha256 of the artifact installed with the package.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

LINE = re.compile(r"^Artifact: `[^`]+` \(sha256 `[0-9a-f]{64}`\)\n?", re.M)


def line_for(artifact: Path) -> str:
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    rel = artifact.resolve().as_posix()
    rel = rel[rel.index("mtcheck/data/"):] if "mtcheck/data/" in rel else artifact.name
    return f"Artifact: `{rel}` (sha256 `{digest}`)\n"


def stamp(card: Path, artifact: Path) -> None:
    text = card.read_text(encoding="utf-8")
    new = line_for(artifact)
    if LINE.search(text):
        text = LINE.sub(new, text, count=1)
    else:  # after the title line
        head, _, rest = text.partition("\n")
        text = f"{head}\n\n{new}{rest}"
    card.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    stamp(Path(sys.argv[1]), Path(sys.argv[2]))
