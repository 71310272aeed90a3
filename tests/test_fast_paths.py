"""The fast paths written for long stories (issue 10, item 12) give exactly what the plain
code they replace gave: the JSON report's text, quoted spans, whitespace normalisation, and a
long story's diff still applies."""

from __future__ import annotations

import enum
import json
import random
import re
import shutil
import subprocess

import pytest

from mtcheck.report.json import dumps
from mtcheck.rewrite.candidates import normalize_space
from mtcheck.rewrite.protect import _ALL_QUOTES, _QUOTE_PAIRS, _inside_word, quoted_spans


class _Str(str, enum.Enum):
    A = "a"


class _Int(enum.IntEnum):
    X = 3


def _random_value(rng: random.Random, depth: int = 0):
    r = rng.random()
    if depth > 5 or r < 0.4:
        return rng.choice([0, -7, 2.5, 1e300, -0.0, "", "s", "é\n\"\\\u2028\x00", None, True, False, 10**20,
                           float("nan"), float("inf"), -float("inf"), _Str.A, _Int.X, (1, "t")])
    if r < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["a", "b", "déf", "x y", "%s", 1, 2.5, True, None, False]
    return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("indent", [1, 2, 0])
def test_dumps_is_json_dumps_character_for_character(indent):
    rng = random.Random(indent)
    values = [[], {}, [[]], {"a": {}}, "x", 1, None, [1, [2, [3, [4, [5, [6, [7]]]]]]]]
    values += [_random_value(rng) for _ in range(2000)]
    for v in values:
        assert dumps(v, indent) == json.dumps(v, ensure_ascii=False, indent=indent)


def test_dumps_refuses_what_json_dumps_refuses():
    for bad in ({"a": object()}, {(1,): 2}, [{1, 2}]):
        with pytest.raises(TypeError):
            json.dumps(bad, indent=1)
        with pytest.raises(TypeError):
            dumps(bad)


def test_json_report_of_the_seeds_is_the_standard_encoding(seeds_dir):
    from mtcheck.engine import Scanner
    from mtcheck.report.json import render, report
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(neural=False, parse=False, rewrite=True))
    results = list(scanner.scan([str(seeds_dir)]))
    assert results and all(r.document is not None and r.document.findings for r in results)
    rendered = render(results, signature=scanner.signature())
    assert rendered == json.dumps(report(results, scanner.signature()), ensure_ascii=False, indent=1) + "\n"


def _quoted_spans_reference(text: str) -> list[tuple[int, int]]:
    """The character-by-character loop quoted_spans was before it searched for quote marks."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"' and _inside_word(text, i):
            i += 1
            continue
        if ch in _QUOTE_PAIRS:
            close = text.find(_QUOTE_PAIRS[ch], i + 1)
            if close == -1:
                spans.append((i, len(text)))
                break
            spans.append((i, close + 1))
            i = close + 1
            continue
        if ch in _ALL_QUOTES and not spans:
            spans.append((0, i + 1))
        i += 1
    return [(a, b) for a, b in spans if b - a > 2]


def test_quoted_spans_match_the_character_loop():
    rng = random.Random(0)
    alphabet = ['"', "“", "”", "«", "»", "„", "a", "b", " ", "5", "'", "."]
    texts = ['He said "no" at 5"3.', "“Quoted” and «more»", "a closing” first", "„low“ high", "no quotes here"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(20000)]
    for text in texts:
        assert quoted_spans(text) == _quoted_spans_reference(text), text


def test_normalize_space_is_the_whitespace_regex():
    spaces = re.compile(r"\s+")
    rng = random.Random(1)
    alphabet = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2003", "\u2028", "\u3000", "a", "é", "\u200b"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert normalize_space(text) == spaces.sub(" ", text).strip(), repr(text)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_patience_diff_of_a_long_story_applies_with_git(tmp_path):
    """Past DIFFLIB_MAX_LINES the patience diff (its unique-line anchors counted in C, runs of
    adjacent anchors taken as one stretch) still gives a patch that makes the new text."""
    from mtcheck.report.diff import DIFFLIB_MAX_LINES, unified_diff

    rng = random.Random(3)
    old_lines = [f"line {i} of the story.\n" if i % 9 else "A repeated line.\n" for i in range(DIFFLIB_MAX_LINES + 1500)]
    new_lines = list(old_lines)
    for _ in range(300):
        k = rng.randrange(len(new_lines))
        what = rng.random()
        if what < 0.5:
            new_lines[k] = new_lines[k].replace("story", "Story")
        elif what < 0.75:
            del new_lines[k]
        else:
            new_lines.insert(k, rng.choice(["A repeated line.\n", f"inserted {k}\n"]))
    old, new = "".join(old_lines), "".join(new_lines).rstrip("\n")  # the last line loses its newline too
    (tmp_path / "story.txt").write_text(old, encoding="utf-8")
    patch = unified_diff("story.txt", old, new)
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], input=patch.encode("utf-8"), cwd=tmp_path,
                          capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == new
