#!/usr/bin/env python
"""How the offline repairs (mtcheck/rewrite/repairs/) do: coverage, quality, restraint, speed.

Every text goes through the real pipeline (quality -> parse -> rules -> rewrite; with
--no-neural: parse -> rules -> rewrite, scored with the lexical formula), so a sentence gets a
repair only where the rules flag it and the fix scorer accepts it, as in `mtcheck scan --rewrite`.
An "accepted repair" is an accepted rewrite made by at least one transform.

1. Coverage on seeds 000, 002 and 003: the share of flagged sentences with an accepted repair
   (target >= 40%), each printed before and after with its transforms; seed 001 (a fair
   translation) must get none.
2. Quality against human corrections, on daseg-ru-en-2015 (MT + human reference) and MLQE-PE
   pe.dev (MT + post-edit): mean sentence chrF and TER (sacrebleu) of the lines with an accepted
   repair, repaired vs unrepaired; the share of repairs that make chrF or TER worse by more than
   2 points (target <= 5%); the gain-to-edit ratio: mean chrF gain divided by the mean edit rate
   (TER of the repaired line against the unrepaired one, x100).
3. Restraint: the share of MLQE-PE pe.dev sentences with HTER = 0 (the MT needed no edit) that
   get an accepted repair (target <= 1%).
   Sections 2 and 3 run twice: as `scan` does (only flagged sentences get repairs), and with
   every sentence treated as flagged (the transforms wherever their pattern fires: the rules
   flag few of these sentences, so this is the measure of the transforms' own precision). The
   same precision measure also runs on WMT21 ru-en (ten systems' MT, against reference A), and
   on the English side of newstest-ru-en (professional translations): each repair printed.
4. Speed: CPU seconds of the rewrite stage on all the seeds, with and without the repairs
   (models loaded and warm; target: repairs add <= 3 s).

--half dev | heldout takes the first | second half of the lines of every data set (of each
file, for WMT21's systems and newstest's years): transforms are developed on the dev half and
their figures quoted from the held-out half.

    python scripts/eval_repairs.py [--seeds seeds] [--data ../shared/data] [--no-neural]
                                   [--half dev|heldout] [--limit N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import fixscore_data as fd  # noqa: E402

DEFAULT_DATA = HERE.parents[1] / "shared" / "data"
COVERAGE_SEEDS = ("000", "002", "003")
FAIR_SEED = "001"
WORSE_BY = 2.0  # points of chrF or TER
BATCH = 64


def build_pipeline(neural: bool):
    from mtcheck.config import Config
    from mtcheck.pipeline import Pipeline
    from mtcheck.settings import Settings

    return Pipeline(Settings(config=Config(), neural=neural, parse=True, rewrite=True))


def check(pipe, texts: list[str], label: str, every_sentence: bool = False) -> list:
    """The checked documents of ``texts``. ``every_sentence``: the rewrite stage treats every
    sentence as flagged (what the transforms do wherever they fire, not only where the rules
    point them: a stress test of their precision)."""
    from mtcheck.document import Document
    from mtcheck.rewrite import annotate_rewrites

    docs = [Document.from_text(t if t.endswith("\n") else t + "\n", path=f"{label}-{i}") for i, t in enumerate(texts)]
    # Treating every sentence as flagged, the sentence scores are not needed (they only flag):
    # the quality stage is left out, which makes the large sets affordable.
    stages = [s for s in pipe.stages if not (every_sentence and s.name in ("rewrite", "quality"))]
    for k in range(0, len(docs), BATCH):
        pipe.run(docs[k:k + BATCH], stages)
    if every_sentence:
        for doc in docs:
            doc.flagged_sentences = (lambda d: lambda: {s.index for s in d.sentences})(doc)
        for k in range(0, len(docs), BATCH):
            annotate_rewrites(docs[k:k + BATCH], pipe.config, neural=pipe.settings.neural, notify=lambda m: None)
    return docs


def accepted_repairs(doc) -> list:
    """The sentences of ``doc`` whose accepted rewrite some transform made."""
    return [s for s in doc.sentences if s.rewrite and s.rewrite.get("accepted") and s.rewrite.get("transforms")]


def repaired_text(doc) -> str:
    """``doc`` with its accepted repairs applied (and nothing else)."""
    from mtcheck.changes import REWRITE, Change, apply_changes, plan, suggestions

    changes = [Change(s.start, s.end, s.original, s.proposed, s.kind, s)
               for s in suggestions(doc) if s.kind == REWRITE and s.transforms]
    kept, _ = plan(doc.text, changes)
    return apply_changes(doc.text, kept)


# -- 1. coverage ------------------------------------------------------------------------------
def coverage(pipe, seeds_dir: Path) -> dict:
    paths = sorted(seeds_dir.glob("*.txt"))
    docs = check(pipe, [p.read_text(encoding="utf-8") for p in paths], "seed")
    out = {"seeds": {}, "flagged": 0, "repaired": 0}
    for path, doc in zip(paths, docs):
        seed = path.name[:3]
        flagged = doc.flagged_sentences()
        repaired = accepted_repairs(doc)
        rows = []
        for s in repaired:
            before = doc.text[s.rewrite["span"][0]:s.end] if "span" in s.rewrite else s.text
            rows.append({"before": before, "after": s.rewrite["text"], "transforms": s.rewrite["transforms"],
                         "fix_score": s.rewrite["fix_score"], "flagged": s.index in flagged})
        unrepaired = [s.text for s in doc.sentences if s.index in flagged and s.index not in {r.index for r in repaired}]
        out["seeds"][seed] = {"flagged": len(flagged), "repaired": sum(r["flagged"] for r in rows), "repairs": rows,
                              "flagged_without_repair": unrepaired}
        if seed in COVERAGE_SEEDS:
            out["flagged"] += len(flagged)
            out["repaired"] += sum(r["flagged"] for r in rows)
    out["share"] = out["repaired"] / out["flagged"] if out["flagged"] else None
    out["fair_seed_repairs"] = len(out["seeds"].get(FAIR_SEED, {}).get("repairs", []))
    return out


# -- 2. quality, 3. restraint -------------------------------------------------------------------
def quality(pipe, mt: list[str], ref: list[str], label: str, every_sentence: bool = False) -> dict:
    from sacrebleu.metrics import CHRF, TER

    chrf, ter = CHRF(), TER()
    docs = check(pipe, mt, label, every_sentence)
    rows = []
    for i, (doc, line, reference) in enumerate(zip(docs, mt, ref)):
        if not accepted_repairs(doc):
            continue
        fixed = repaired_text(doc).strip()
        before = {"chrf": chrf.sentence_score(line, [reference]).score, "ter": ter.sentence_score(line, [reference]).score}
        after = {"chrf": chrf.sentence_score(fixed, [reference]).score, "ter": ter.sentence_score(fixed, [reference]).score}
        rows.append({"line": i, "mt": line, "repaired": fixed, "reference": reference, "before": before, "after": after,
                     "edit_rate": ter.sentence_score(fixed, [line]).score,
                     "transforms": sorted({t for s in accepted_repairs(doc) for t in s.rewrite["transforms"]})})
    n = len(rows)
    out = {"lines": len(mt), "repaired": n, "rows": rows}
    if n:
        mean = lambda key, side: sum(r[side][key] for r in rows) / n  # noqa: E731
        out.update(
            chrf_before=mean("chrf", "before"), chrf_after=mean("chrf", "after"),
            ter_before=mean("ter", "before"), ter_after=mean("ter", "after"),
            worse_share=sum(r["after"]["chrf"] < r["before"]["chrf"] - WORSE_BY or r["after"]["ter"] > r["before"]["ter"] + WORSE_BY
                            for r in rows) / n,
            edit_rate=sum(r["edit_rate"] for r in rows) / n,
        )
        gain = out["chrf_after"] - out["chrf_before"]
        out["gain_to_edit"] = gain / out["edit_rate"] if out["edit_rate"] else None
    return out


HALF = "all"  # set from --half: which half of every data set's lines is evaluated


def half(lines: list) -> list:
    """The lines of the half under evaluation (``--half``): dev is the first, heldout the second."""
    mid = len(lines) // 2
    return {"all": lines, "dev": lines[:mid], "heldout": lines[mid:]}[HALF]


def mlqe(data: Path) -> tuple[list[str], list[str], list[float]]:
    rows = half(fd.read_split(data, "dev"))
    return [m for _, m, _, _ in rows], [p for _, _, p, _ in rows], [h for _, _, _, h in rows]


def daseg(data: Path) -> tuple[list[str], list[str]]:
    mt = (data / "newstest2015.mt-system").read_text(encoding="utf-8").splitlines()
    ref = (data / "newstest2015.reference").read_text(encoding="utf-8").splitlines()
    return half(mt), half(ref)


# -- 4. speed ---------------------------------------------------------------------------------
def speed(pipe, seeds_dir: Path) -> dict:
    from mtcheck.rewrite import annotate_rewrites

    docs = check(pipe, [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))], "speed")
    quiet = lambda m: None  # noqa: E731
    annotate_rewrites(docs, pipe.config, neural=pipe.settings.neural, notify=quiet, repairs=True)  # warm
    out = {}
    for repairs in (False, True, False, True):
        t0 = time.process_time()
        annotate_rewrites(docs, pipe.config, neural=pipe.settings.neural, notify=quiet, repairs=repairs)
        out.setdefault("with" if repairs else "without", []).append(time.process_time() - t0)
    return {"without_s": min(out["without"]), "with_s": min(out["with"]),
            "added_s": min(out["with"]) - min(out["without"])}


def _print_quality(name: str, q: dict) -> None:
    print(f"\n== quality on {name}: {q['repaired']} of {q['lines']} lines get an accepted repair")
    if not q["repaired"]:
        return
    print(f"chrF {q['chrf_before']:.2f} -> {q['chrf_after']:.2f}   TER {q['ter_before']:.2f} -> {q['ter_after']:.2f}   "
          f"worse by >{WORSE_BY:g} points: {q['worse_share']:.1%}   edit rate {q['edit_rate']:.2f}   "
          f"gain-to-edit {q['gain_to_edit']:.3f}")
    for r in q["rows"]:
        d = r["after"]["chrf"] - r["before"]["chrf"]
        print(f"  [{d:+5.1f} chrF] {', '.join(r['transforms'])}\n      MT:  {r['mt']}\n      NEW: {r['repaired']}\n      REF: {r['reference']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=HERE.parent / "seeds")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-neural", dest="neural", action="store_false",
                    help="rules and parse only; fix scores from the lexical formula")
    ap.add_argument("--half", choices=("all", "dev", "heldout"), default="all",
                    help="the first (dev) or second (heldout) half of every data set's lines")
    ap.add_argument("--limit", type=int, default=None, help="only the first N lines of each data set")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: coverage,daseg,mlqe,wmt21,newstest,speed")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    global HALF
    HALF = args.half

    pipe = build_pipeline(args.neural)
    print(f"formula: {'neural' if args.neural else 'lexical'}; data sets: {HALF} lines"
          f"{'' if HALF == 'all' else ' (first half: dev, second: heldout)'}")
    report: dict = {"formula": "neural" if args.neural else "lexical", "half": HALF}
    if "coverage" not in skip:
        cov = report["coverage"] = coverage(pipe, args.seeds)
        print(f"\n== coverage on seeds {', '.join(COVERAGE_SEEDS)}: {cov['repaired']}/{cov['flagged']} flagged sentences "
              f"get an accepted repair ({(cov['share'] or 0):.0%}; target >= 40%); seed {FAIR_SEED}: "
              f"{cov['fair_seed_repairs']} repairs (target 0)")
        for seed, s in cov["seeds"].items():
            print(f"-- seed {seed}: {s['repaired']}/{s['flagged']} flagged sentences repaired")
            for r in s["repairs"]:
                print(f"  [{', '.join(r['transforms'])}; fix score {r['fix_score']:.3f}{'' if r['flagged'] else '; not flagged'}]"
                      f"\n    BEFORE: {r['before']}\n    AFTER:  {r['after']}")
            for text in s["flagged_without_repair"]:
                print(f"  [no repair]  {text}")
    for every in (False, True):
        how = " [every sentence treated as flagged]" if every else " [flagged sentences, as scan does]"
        key = "_every" if every else ""
        if "daseg" not in skip and (args.data / "daseg-ru-en-2015").is_dir():
            mt, ref = daseg(args.data / "daseg-ru-en-2015")
            report["daseg" + key] = quality(pipe, mt[:args.limit], ref[:args.limit], "daseg", every)
            _print_quality("daseg-ru-en-2015 (vs the human reference)" + how, report["daseg" + key])
        if "mlqe" not in skip and (args.data / "mlqe-pe-ru-en").is_dir():
            mt, pe, hter = mlqe(args.data / "mlqe-pe-ru-en")
            mt, pe, hter = mt[:args.limit], pe[:args.limit], hter[:args.limit]
            q = report["mlqe" + key] = quality(pipe, mt, pe, "mlqe", every)
            _print_quality("MLQE-PE pe.dev (vs the post-edit)" + how, q)
            zero = [i for i, h in enumerate(hter) if h == 0]
            touched = {r["line"] for r in q["rows"]}
            share = sum(i in touched for i in zero) / len(zero) if zero else 0.0
            report["restraint" + key] = {"hter_zero": len(zero), "repaired": sum(i in touched for i in zero), "share": share}
            print(f"\n== restraint{how}: {sum(i in touched for i in zero)} of {len(zero)} MLQE-PE pe.dev sentences "
                  f"with HTER = 0 get an accepted repair ({share:.2%}; target <= 1%)")
    wmt21 = args.data / "wmt21-ru-en"
    if "wmt21" not in skip and wmt21.is_dir():
        # Ten systems' MT of the same 1000 sentences, against reference A: far more text than the
        # two sets above, so only the precision measure (every sentence treated as flagged).
        mt, ref = [], []
        reference = (wmt21 / "newstest2021.ru-en.ref.A.en").read_text(encoding="utf-8").splitlines()
        for hyp in sorted(wmt21.glob("newstest2021.ru-en.hyp.*.en")):
            lines = hyp.read_text(encoding="utf-8").splitlines()
            mt += half(lines)[:args.limit]
            ref += half(reference[:len(lines)])[:args.limit]
        report["wmt21_every"] = quality(pipe, mt, ref, "wmt21", True)
        _print_quality("WMT21 ru-en, 10 systems (vs reference A) [every sentence treated as flagged]", report["wmt21_every"])
    newstest = args.data / "newstest-ru-en"
    if "newstest" not in skip and newstest.is_dir():
        # Professional translations into English (mostly fluent; some translationese): every
        # accepted repair is printed for judgment, none should be needed.
        lines = []
        for f in sorted(newstest.glob("newstest*.en")):
            lines += half(f.read_text(encoding="utf-8").splitlines())[:args.limit]
        docs = check(pipe, lines, "newstest", every_sentence=True)
        touched = [(doc, accepted_repairs(doc)) for doc in docs]
        touched = [(doc, rs) for doc, rs in touched if rs]
        report["newstest_every"] = {"lines": len(lines), "repaired": len(touched), "rows": [
            {"before": doc.text.strip(), "after": repaired_text(doc).strip(),
             "transforms": sorted({t for s in rs for t in s.rewrite["transforms"]})} for doc, rs in touched]}
        print(f"\n== human translations (newstest-ru-en English side) [every sentence treated as flagged]: "
              f"{len(touched)} of {len(lines)} lines get an accepted repair (judge each below)")
        for row in report["newstest_every"]["rows"]:
            print(f"  [{', '.join(row['transforms'])}]\n      HUMAN: {row['before']}\n      NEW:   {row['after']}")
    if "speed" not in skip:
        sp = report["speed"] = speed(pipe, args.seeds)
        print(f"\n== speed (CPU s, rewrite stage on {args.seeds}): without repairs {sp['without_s']:.2f}, "
              f"with {sp['with_s']:.2f}: repairs add {sp['added_s']:.2f} s (target <= 3 s)")
    if args.json:
        from mtcheck.fsutil import atomic_write

        atomic_write(args.json, json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
