"""Data loading shared by scripts/train_quality.py and scripts/eval_quality.py: the human-judged
evaluation sets and the seed sentences, with their quality features (cached on disk, since
scoring 1,500 sentences takes minutes on two cores)."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SHARED = ROOT.parent / "shared" / "data"


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_daseg(folder: Path) -> dict:
    """WMT15 ru-en segment-level DA: MT output, human z-score, reference (for chrF only)."""
    mt = read_lines(folder / "newstest2015.mt-system")
    human = [float(x) for x in read_lines(folder / "newstest2015.human")]
    ref = read_lines(folder / "newstest2015.reference")
    if not (len(mt) == len(human) == len(ref)):
        sys.exit(f"{folder}: files are not line-aligned")
    return {"texts": mt, "human": human, "ref": ref}


def load_mlqe(path: Path) -> dict:
    """MLQE-PE ru-en DA: translation and z_mean (mean of three raters' z-scores)."""
    csv.field_size_limit(1 << 20)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {"texts": [r["translation"] for r in rows], "human": [float(r["z_mean"]) for r in rows],
            "ref": None}


def load_seeds(folder: Path) -> list[dict]:
    from mtcheck.document import Document

    out = []
    for p in sorted(folder.glob("*.txt")):
        doc = Document.from_text(p.read_text(encoding="utf-8"), path=p.name)
        for s in doc.sentences:
            out.append({"file": p.name, "kind": s.kind, "quote": s.is_quote, "text": s.text})
    return out


def _store_path(cache_dir: Path) -> Path:
    """One append-only file per language model and numeric path: ``text -> token scores``."""
    from mtcheck.neural import fluency

    key_src = f"{fluency.current_key()}|{fluency.numeric_path()}"
    return cache_dir / f"token-scores-{hashlib.sha256(key_src.encode()).hexdigest()[:16]}.jsonl"


_STORES: dict[Path, dict] = {}


def _store(path: Path) -> dict:
    if path not in _STORES:
        table: dict = {}
        if path.is_file():
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        r = json.loads(line)
                    except ValueError:  # a line cut short by an interrupted run
                        continue
                    table[r["text"]] = r
        _STORES[path] = table
    return _STORES[path]


def cached_token_scores(texts: list[str], cache_dir: Path | None, chunk: int = 256) -> list:
    """The fluency model's token scores of ``texts``, each text reused from ``cache_dir`` when
    the model (weights, numeric path) is unchanged; new texts are scored in chunks and
    appended, so an interrupted run keeps what it finished."""
    from mtcheck.neural import fluency

    if cache_dir is None:
        return fluency.load().token_scores(texts)
    path = _store_path(cache_dir)
    table = _store(path)
    norm = [fluency.normalise(t) for t in texts]
    missing = sorted({t for t in norm if t not in table})
    if missing:
        cache_dir.mkdir(parents=True, exist_ok=True)
        model = fluency.load()
        for a in range(0, len(missing), chunk):
            scores = model.token_scores(missing[a:a + chunk])
            with open(path, "a", encoding="utf-8") as fh:
                for s in scores:
                    r = dict(s.__dict__)
                    fh.write(json.dumps(r) + "\n")
                    table[s.text] = r
    return [fluency.TokenScores(r["text"], r["ids"], [tuple(o) for o in r["offsets"]], r["logprobs"], r["truncated"])
            for r in (table[t] for t in norm)]


def cached_features(texts: list[str], cache_dir: Path | None) -> list[dict]:
    """``mtcheck.quality.features`` of ``texts``; the language-model pass is cached."""
    from mtcheck import quality

    return quality.features(texts, cached_token_scores(texts, cache_dir))


# -- WMT21 (system-level human ranking) and newstest (clean English) ---------------------------
STORY_LINES = 20  # WMT21 has no document ids: consecutive 20-line blocks stand in for stories


def load_wmt21(folder: Path) -> dict:
    """``{"outputs": {name: lines}, "human_z": {name: z}}``; the references are ``ref.A`` and
    ``ref.B``, systems by their name; ``HUMAN`` in the ranking is the reference."""
    outputs = {}
    for p in sorted(folder.glob("newstest2021.ru-en.*.en")):
        name = p.name[len("newstest2021.ru-en."):-len(".en")]
        outputs[name.removeprefix("hyp.")] = read_lines(p)
    human_z = {}
    ranking = folder / "human-system-ranking-z.csv"
    if ranking.is_file():
        for line in read_lines(ranking):
            parts = line.split()
            if len(parts) >= 6:
                human_z[parts[-1]] = float(parts[1])
    return {"outputs": outputs, "human_z": human_z}


def wmt21_half(lines: list[str], held_out: bool) -> list[list[str]]:
    """The 20-line stories of one half: even-numbered stories calibrate, odd-numbered ones are
    held out (reported on). Split by story, never by sentence."""
    stories = [lines[a:a + STORY_LINES] for a in range(0, len(lines), STORY_LINES)]
    return [s for k, s in enumerate(stories) if k % 2 == int(held_out)]


def newstest_sample(folder: Path, every: int = 12, skip: tuple[str, ...] = ("newstest2015",)) -> list[str]:
    """Every ``every``-th non-blank line of the English side of newstest (newstest2015 left
    out: daseg's references are its sentences)."""
    out = []
    for p in sorted(folder.glob("newstest20*.en")):
        if p.stem in skip:
            continue
        lines = [t.strip() for t in read_lines(p) if t.strip()]
        out += lines[::every]
    return out


def sentences(lines: list[str]) -> list[str]:
    """The sentences of each non-blank line, as mtcheck segments them (a line of a news
    test set is a sentence or a headline; a few hold two sentences)."""
    from mtcheck.document import Document

    out = []
    for line in lines:
        if line.strip():
            out += [s.text for s in Document.from_text(line).sentences]
    return out
