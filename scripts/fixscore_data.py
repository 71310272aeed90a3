"""Good and bad fixes from MLQE-PE, shared by train_fix_score.py and eval_fix_scoring.py.

A good fix: the human post-edit of an MT sentence whose HTER > 0 (original = the MT output).
Bad fixes of the same original: the post-edit with a name changed, a negation dropped, a
number altered, words shuffled, a clause deleted; an unrelated post-edit; and the regression
(original = the post-edit, candidate = the MT output: a rewrite that makes good text worse, the
closest thing in hand to an unneeded back-translation paraphrase of a good sentence).
For HTER = 0 sentences (the MT needed no edit) every candidate is a bad fix. The offline
repairs' candidates are examples too (``scripts/repair_examples.py``, source "repairs").

The files are tokenized (spaces around punctuation, "don 't"); ``detokenize`` undoes that so
that the texts look like what mtcheck reads. Everything is seeded: the same arguments give the
same examples.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mtcheck.rewrite import fixscore, protect  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mlqe-pe-ru-en"
BAD_KINDS = ("name_changed", "negation_dropped", "number_altered", "words_shuffled", "clause_deleted", "unrelated", "regression")

_NO_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}»”’…]|\.\.\.)")
_NO_SPACE_AFTER = re.compile(r"([(\[{«“$#@]) ")
_CONTRACTION = re.compile(r" ('(?:s|t|re|ve|ll|m|d)\b|n't\b)", re.IGNORECASE)


def detokenize(text: str) -> str:
    """Moses-style tokenized English back to running text (good enough for scoring)."""
    t = text.strip()
    t = _CONTRACTION.sub(r"\1", t)
    t = re.sub(r"(\w) '(\w)", r"\1'\2", t)  # "don 't" (split before the apostrophe)
    t = _NO_SPACE_BEFORE.sub(r"\1", t)
    t = _NO_SPACE_AFTER.sub(r"\1", t)
    t = t.replace(" / ", "/").replace(" _ ", "_")
    if t.count('"') and t.count('"') % 2 == 0:
        # Straight double quotes come as standalone tokens: glue each pair to its content.
        pieces = t.split('"')
        out = [pieces[0]]
        for k, piece in enumerate(pieces[1:], start=1):
            opening = k % 2 == 1
            if opening:
                out.append('"' + piece.lstrip())
            else:
                out[-1] = out[-1].rstrip()
                out.append('"' + piece)
        t = "".join(out)
        t = re.sub(r'"\s+([.,!?;:])', r'"\1', t)
    return re.sub(r"\s+", " ", t).strip()


# Kinds of example that are good fixes: the post-edit, and repairs that move toward the human
# version (scripts/repair_examples.py).
GOOD_KINDS = ("good", "repair_toward", "repair_restores")


@dataclass
class Example:
    sid: int  # line number in the files (repair examples: a group id per source sentence)
    hter: float | None  # None: not an MLQE-PE line
    original: str
    candidate: str
    kind: str  # "good" | one of BAD_KINDS | a repair kind (repair_examples.GOOD_KINDS, BAD_KINDS)
    expected: str | None = None
    source: str = "mlqe"  # "mlqe" (post-edits and perturbations) | "repairs"
    transforms: tuple[str, ...] = ()  # repairs: the transforms that made the candidate
    damage: str | None = None  # synthetic repairs: the damage class put into the clean line

    @property
    def label(self) -> int:
        return int(self.kind in GOOD_KINDS)


def read_split(data_dir: Path, split: str) -> list[tuple[int, str, str, float]]:
    """(line, MT, post-edit, HTER) for every line of pe.<split>.*, detokenized."""
    mt = (data_dir / f"pe.{split}.mt").read_text(encoding="utf-8").splitlines()
    pe = (data_dir / f"pe.{split}.pe").read_text(encoding="utf-8").splitlines()
    hter = [float(x) for x in (data_dir / f"pe.{split}.hter").read_text().split()]
    if not len(mt) == len(pe) == len(hter):
        raise SystemExit(f"{data_dir}: pe.{split}.* files have different line counts")
    return [(i, detokenize(m), detokenize(p), h) for i, (m, p, h) in enumerate(zip(mt, pe, hter))]


# -- perturbations ----------------------------------------------------------------------------

_NEGATION_EDITS = [
    (re.compile(r"\b(ca)n't\b", re.I), r"\1n"), (re.compile(r"\bwon't\b", re.I), "will"),
    (re.compile(r"\b(\w+)n't\b", re.I), r"\1"), (re.compile(r"\bnot\s+", re.I), ""),
    (re.compile(r"\bnever\s+", re.I), ""), (re.compile(r"\bcannot\b", re.I), "can"),
    (re.compile(r"\bno\s+", re.I), ""), (re.compile(r"\bnothing\b", re.I), "everything"),
]


def drop_negation(text: str, rng: random.Random) -> str | None:
    edits = [(p, r) for p, r in _NEGATION_EDITS if p.search(text)]
    if not edits:
        return None
    pattern, repl = rng.choice(edits)
    matches = list(pattern.finditer(text))
    m = rng.choice(matches)
    return text[:m.start()] + m.expand(repl) + text[m.end():]


def change_name(text: str, pool: list[str], rng: random.Random) -> str | None:
    names = [n for n in protect.name_tokens(text) if len(n) > 2]
    if not names:
        return None
    name = rng.choice(sorted(names))
    others = [p for p in pool if p != name and p[0].isupper() == name[0].isupper()]
    if not others:
        return None
    new = rng.choice(others)
    return re.sub(r"\b" + re.escape(name) + r"\b", new, text, count=1)


def alter_number(text: str, rng: random.Random) -> str | None:
    matches = list(re.finditer(r"\d+", text))
    if not matches:
        return None
    m = rng.choice(matches)
    n = int(m.group(0))
    new = rng.choice([n + rng.randint(1, 9), n * 10, max(0, n - rng.randint(1, 9)) if n > 1 else n + 2])
    if new == n:
        new = n + 1
    return text[:m.start()] + str(new) + text[m.end():]


def shuffle_words(text: str, rng: random.Random) -> str | None:
    words = text.split()
    if len(words) < 4:
        return None
    width = min(len(words), rng.randint(4, 6))
    start = rng.randint(0, len(words) - width)
    window = words[start:start + width]
    for _ in range(10):
        rng.shuffle(window)
        if window != words[start:start + width]:
            break
    out = words[:start] + window + words[start + width:]
    return " ".join(out) if out != words else None


def delete_clause(text: str, rng: random.Random) -> str | None:
    pieces = re.split(r"(,\s+|;\s+|\s+(?:and|but|which|who|that|because|while)\s+)", text)
    clauses = [i for i in range(0, len(pieces), 2) if len(pieces[i].split()) >= 2]
    if len(clauses) >= 2:
        i = rng.choice(clauses[1:])  # keep the main clause at the start
        out = "".join(pieces[:i - 1] + pieces[i + 1:]).strip()
        end = text.rstrip()[-1:]
        if end in ".!?" and not out.endswith(end):
            out = out.rstrip(",;: ") + end
        return out if out != text and len(out.split()) >= 2 else None
    words = text.split()
    if len(words) < 6:
        return None
    keep = max(3, int(len(words) * rng.uniform(0.5, 0.7)))
    out = " ".join(words[:keep]).rstrip(",;:")
    return out + (text.rstrip()[-1] if text.rstrip()[-1:] in ".!?" else "")


def name_pool(rows) -> list[str]:
    seen = {}
    for _, _, pe, _ in rows:
        for n in protect.name_tokens(pe):
            if len(n) > 2:
                seen[n] = seen.get(n, 0) + 1
    return sorted(n for n, c in seen.items() if c >= 2)


def examples_for(rows, sample: int, seed: int, zero_hter: int) -> list[Example]:
    """Good and bad fixes for ``sample`` HTER > 0 rows and bad ones for ``zero_hter`` HTER = 0 rows.

    Each sentence's perturbations use their own random stream (seed, line), and its unrelated
    fix is the post-edit of the next sentence in the (seeded) sample order, so a smaller
    sample is a subset of a larger one (and cached features carry over).
    """
    order = random.Random(seed)
    pool = name_pool(rows)
    edited = [r for r in rows if r[3] > 0 and r[1] != r[2]]
    unchanged = [r for r in rows if r[3] == 0]
    order.shuffle(edited)
    order.shuffle(unchanged)
    chosen = edited[:sample] + unchanged[:zero_hter]
    out: list[Example] = []
    for k, (sid, mt, pe, hter) in enumerate(chosen):
        rng = random.Random(f"{seed}-{sid}")
        if hter > 0:
            out.append(Example(sid, hter, mt, pe, "good"))
            out.append(Example(sid, hter, pe, mt, "regression"))
        perturbed = {
            "name_changed": change_name(pe, pool, rng),
            "negation_dropped": drop_negation(pe, rng),
            "number_altered": alter_number(pe, rng),
            "words_shuffled": shuffle_words(pe, rng),
            "clause_deleted": delete_clause(pe, rng),
        }
        group = edited[:sample] if hter > 0 else unchanged[:zero_hter]
        i = group.index((sid, mt, pe, hter))
        perturbed["unrelated"] = group[(i + 1) % len(group)][2] if len(group) > 1 else None
        for kind, cand in perturbed.items():
            if cand and cand != mt and cand != pe:
                out.append(Example(sid, hter, mt, cand, kind))
    return out


# -- features, computed as at run time ---------------------------------------------------------

class FeatureCache:
    """Quality features and embedding cosines of earlier runs, so a re-run only computes what
    is new. Both are deterministic for a given model set; each table lives in a file whose name
    carries the signature of the models it came from (``folder``/fixscore-<table>-<sig>.json)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.data: dict[str, dict] = {}
        self.paths: dict[str, Path | None] = {}
        for table, sig in (("quality", fluency_signature()), ("cosine", model_signature(("similarity",)))):
            path = folder / f"fixscore-{table}-{sig}.json" if folder else None
            self.paths[table] = path
            self.data[table] = json.loads(path.read_text()) if path and path.exists() else {}

    def save(self, table: str) -> None:
        path = self.paths[table]
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data[table]))
            tmp.replace(path)

    def quality(self, texts: list[str], batch: int = 64) -> dict[str, float]:
        """mtcheck.quality.score_texts of each text, computed as score_rows(features(texts)) so
        that the cache holds the language-model feature rows: a new quality calibration
        (mtcheck/data/models/quality.json) re-scores them without running the language model again."""
        from mtcheck.quality import features as quality_features
        from mtcheck.quality import model as quality_model
        from mtcheck.quality import score_rows

        table = self.data["quality"]
        # Rows cached before the quality model gained a feature are computed again.
        needed = set(quality_model().features)
        todo = [t for t in dict.fromkeys(texts) if not needed <= table.get(_key(t), {}).keys()]
        start = time.time()
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            for t, row in zip(chunk, quality_features(chunk)):
                table[_key(t)] = {k: float(v) for k, v in row.items()}
            done = i + len(chunk)
            print(f"  quality features: {done}/{len(todo)} new texts, {done / max(time.time() - start, 1e-9):.1f}/s", file=sys.stderr, flush=True)
            self.save("quality")
        unique = list(dict.fromkeys(texts))
        scores = score_rows([table[_key(t)] for t in unique])
        by_text = {t: (s if t.strip() else 0.0) for t, s in zip(unique, scores)}
        return {t: by_text[t] for t in texts}

    def cosine(self, left: list[str], right: list[str], batch: int = 2048) -> list[float]:
        from mtcheck.neural.embeddings import cosine_pairs

        table = self.data["cosine"]
        keys = [_key(a + "\x1f" + b) for a, b in zip(left, right)]
        todo = [i for i, k in enumerate(keys) if k not in table]
        start = time.time()
        for j in range(0, len(todo), batch):
            idx = todo[j:j + batch]
            for i, c in zip(idx, cosine_pairs([left[i] for i in idx], [right[i] for i in idx])):
                table[keys[i]] = float(c)
            done = j + len(idx)
            print(f"  cosine: {done}/{len(todo)} new pairs, {done / max(time.time() - start, 1e-9):.1f}/s", file=sys.stderr, flush=True)
            self.save("cosine")
        return [table[k] for k in keys]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def fluency_signature() -> str:
    """What the language-model feature rows depend on: the LM, its numeric path (quantization,
    the processor kernels of mtcheck.kernels, the scoring version) and its unigram baseline (not
    the quality calibration, which is applied afterwards)."""
    from mtcheck.neural import fluency, registry

    parts = [registry.roles()["fluency"].get("model_id", ""), fluency.numeric_path()]
    baseline = registry.artifact_path("fluency-baseline")
    parts.append(hashlib.sha256(baseline.read_bytes()).hexdigest()[:12] if baseline.exists() else "missing")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:10]


def model_signature(roles) -> str:
    from mtcheck.neural import registry

    sig = registry.signature(tuple(roles))
    return hashlib.sha1(json.dumps(sig, sort_keys=True).encode()).hexdigest()[:10]


def features(examples, cache_dir: Path | None, neural: bool = True) -> list[dict]:
    """The run-time components of every example (fixscore.lexical_components, plus fluency
    gain from mtcheck.quality.score_texts and the MiniLM cosine), computed in bulk."""
    pairs = [fixscore.Pair(e.original, e.candidate, e.expected) for e in examples]
    comps = fixscore.lexical_components(pairs)
    if not neural:
        return comps
    cache = FeatureCache(cache_dir)
    cos = cache.cosine([p.reference for p in pairs], [p.candidate for p in pairs])
    texts = [p.original for p in pairs] + [p.candidate for p in pairs]
    print(f"{len(set(texts))} distinct texts for the sentence-quality scorer", file=sys.stderr)
    q = cache.quality(texts)
    for c, p, cs in zip(comps, pairs, cos):
        c["quality_original"] = q[p.original]
        c["quality_candidate"] = q[p.candidate]
        c["fluency_gain"] = q[p.candidate] - q[p.original]
        c["cosine"] = float(cs)
    return comps


def default_cache() -> Path:
    """Folder of the feature caches: the user cache folder."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("mtcheck"))


def runtime_rejected(e) -> bool:
    """What annotate_rewrites rejects before scoring: a number or date that changed."""
    return bool(protect.violations(e.candidate, e.expected or e.original, []))
