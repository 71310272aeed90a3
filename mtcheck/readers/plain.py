"""Plain text and Markdown: the text is the file (decoding lives in ``mtcheck.reader``)."""

from __future__ import annotations


def read(source: str, file: str, encoding: str):
    from mtcheck.readers import Story

    return [Story(source, None)]
