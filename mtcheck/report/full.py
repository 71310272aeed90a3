"""``--format full``: each finding's line, then its sentence with the span underlined, as ruff's
full output shows the source (``mtcheck.report.text``)."""

from __future__ import annotations

from typing import Sequence

from mtcheck.engine import FileResult
from mtcheck.report import text


def render(results: Sequence[FileResult], signature: dict | None = None, **options) -> str:
    return text.render(results, signature=signature, **dict(options, full=True))
