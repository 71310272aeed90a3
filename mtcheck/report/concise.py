"""``--format concise``: one line per finding, ``path:line:col: CODE severity [category] message``
(``--format text`` is the same format under its old name; see ``mtcheck.report.text``)."""

from __future__ import annotations

from typing import Sequence

from mtcheck.engine import FileResult
from mtcheck.report import text


def render(results: Sequence[FileResult], signature: dict | None = None, **options) -> str:
    return text.render(results, signature=signature, **dict(options, full=False))
