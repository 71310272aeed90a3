#!/usr/bin/env python
"""Held-out evaluation of fix scoring on MLQE-PE pe.dev.* (never used in training).

Prints, for the committed mtcheck/data/models/fix_score.json:
1. AUROC of fix_score for telling good fixes (post-edits of HTER > 0 sentences) from each kind
   of bad fix (perturbed post-edits, unrelated sentences, the regression post-edit -> MT), per
   kind, with the run-time rejection of changed numbers/dates applied (as annotate_rewrites does)
   and without it (the formula alone); and the acceptance rates at the threshold.
2. Good MT left alone: for HTER = 0 sentences (the MT needed no edit), the share of sentences for
   which any candidate is accepted, per candidate source:
   - rule fixes: mtcheck's own rules run on the sentence, their safe fixes applied;
   - back-translation (only where the translation models are in the local cache; otherwise the
     script says so): every HTER = 0 sentence treated as flagged, round-tripped, scored;
   - perturbed post-edits (all bad fixes by construction).
3. Repair candidates on held-out data (``scripts/repair_examples.py`` with ``held_out``: MLQE-PE
   pe.dev, the second halves of daseg and WMT21, newstest 2019-2020 clean and damaged), per
   kind: the share accepted as ``annotate_rewrites`` accepts a repair (``rewrite.REPAIRS_BAR``,
   and with the neural formula a positive fluency gain) and the AUROC of the good repairs
   against each bad kind. Off with --no-repairs.

    python scripts/eval_fix_scoring.py [--data ../shared/data/mlqe-pe-ru-en] [--shared ../shared/data]
                                       [--model fix_score.json] [--no-repairs] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import fixscore_data as fd  # noqa: E402
import repair_examples as rx  # noqa: E402

from mtcheck.rewrite import REPAIRS_BAR, fixscore  # noqa: E402


def auroc(good, bad):
    from sklearn.metrics import roc_auc_score

    if not good or not bad:
        return None
    return float(roc_auc_score([1] * len(good) + [0] * len(bad), list(good) + list(bad)))


def rule_candidates(rows, neural: bool):
    """(sid, Pair) for each sentence with a safe rule fix (mtcheck's rules, no parse)."""
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.engine import Scanner
    from mtcheck.rewrite.candidates import build_target, normalize_space, rule_candidate
    from mtcheck.settings import Settings

    scanner = Scanner(Settings(config=Config(), neural=False, parse=False, rewrite=False))
    docs = [Document.from_text(mt + "\n", path=f"line-{sid}") for sid, mt, _, _ in rows]
    scanner.pipeline.run(docs)
    out = []
    for (sid, mt, _, _), doc in zip(rows, docs):
        for s in doc.sentences:
            t = build_target(doc, s, flagged=False)
            c = rule_candidate(t)
            if c is not None:
                out.append((sid, fixscore.Pair(normalize_space(t.original), normalize_space(c.text), normalize_space(t.fixed)), doc.findings))
    return out


def backtranslation_candidates(rows, args):
    """(sid, Pair | None, rejected reason) per round-trip candidate, or None when no models."""
    from mtcheck.config import Config
    from mtcheck.document import Document
    from mtcheck.neural.translate import TranslatorUnavailable, load_translator, resolve_spec
    from mtcheck.rewrite.candidates import backtranslation_candidates as bt
    from mtcheck.rewrite.candidates import build_target, normalize_space

    cfg = Config()
    try:
        en_ru = load_translator(resolve_spec("en-ru", cfg))
        ru_en = load_translator(resolve_spec("ru-en", cfg))
    except TranslatorUnavailable as e:
        return None, str(e)
    targets, sids = [], []
    for sid, mt, _, _ in rows:
        doc = Document.from_text(mt + "\n")
        for s in doc.sentences:
            targets.append(build_target(doc, s, flagged=True))
            sids.append(sid)
    out = []
    for sid, t, cands in zip(sids, targets, bt(targets, en_ru, ru_en, args.num_candidates, args.beam_size)):
        for c in cands:
            pair = None if c.rejected else fixscore.Pair(normalize_space(t.original), c.text, normalize_space(t.fixed))
            out.append((sid, pair, c.rejected))
    return out, None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=fd.DEFAULT_DATA)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--model", type=Path, default=None, help="fix-score artifact (default: mtcheck/data/models/fix_score.json)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="use only this many sentences of each kind (0: all)")
    ap.add_argument("--max-hter", type=float, default=0.5, help="also report on sentences with 0 < HTER <= this (the training population)")
    ap.add_argument("--num-candidates", type=int, default=4)
    ap.add_argument("--beam-size", type=int, default=4)
    ap.add_argument("--cache", type=Path, default=None, help="folder of the feature caches (default: the training script's)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--shared", type=Path, default=HERE.parents[1] / "shared" / "data",
                    help="shared data folder (daseg, WMT21, newstest) for the held-out repair candidates")
    ap.add_argument("--no-repairs", dest="repairs", action="store_false", help="skip the held-out repair candidates")
    ap.add_argument("--per-class", type=int, default=60, help="repair candidates: damaged newstest lines per damage class")
    ap.add_argument("--clean", type=int, default=3000, help="repair candidates: clean newstest lines the repairs are forced on")
    args = ap.parse_args(argv)

    import numpy as np

    if not (args.data / f"pe.{args.split}.mt").exists():
        print(f"error: {args.data}/pe.{args.split}.mt not found (pass --data)", file=sys.stderr)
        return 2
    t0 = time.time()
    model = fixscore.load_model(str(args.model) if args.model else None)
    rows = fd.read_split(args.data, args.split)
    n_edit = sum(1 for r in rows if r[3] > 0 and r[1] != r[2])
    n_zero = sum(1 for r in rows if r[3] == 0)
    examples = fd.examples_for(rows, args.limit or n_edit, args.seed, args.limit or n_zero)
    comps = fd.features(examples, args.cache or fd.default_cache())
    rejected = np.array([fd.runtime_rejected(e) for e in examples])
    figures: dict = {"data": f"{args.data.name} pe.{args.split}", "examples": dict(Counter(e.kind for e in examples)),
                     "sentences_hter_gt_0": len({e.sid for e in examples if e.hter > 0}),
                     "sentences_hter_0": len({e.sid for e in examples if e.hter == 0})}

    for name in ("neural", "lexical"):
        formula = model.formula(name == "neural")
        raw = np.array([formula.score(c) for c in comps])
        runtime = np.where(rejected, 0.0, raw)
        thr = formula.threshold
        by_kind = {}
        good_rt = [s for s, e in zip(runtime, examples) if e.kind == "good"]
        good_raw = [s for s, e in zip(raw, examples) if e.kind == "good"]
        good_cap = [s for s, e in zip(runtime, examples) if e.kind == "good" and e.hter <= args.max_hter]
        for kind in fd.BAD_KINDS:
            idx = [i for i, e in enumerate(examples) if e.kind == kind and e.hter > 0]
            if not idx:
                continue
            by_kind[kind] = {
                "n": len(idx),
                "auroc": round(auroc(good_rt, runtime[idx].tolist()), 4),
                "auroc_formula_only": round(auroc(good_raw, raw[idx].tolist()), 4),
                "auroc_hter_capped": round(auroc(good_cap, [runtime[i] for i in idx if examples[i].hter <= args.max_hter]), 4),
                "accepted": round(float((runtime[idx] >= thr).mean()), 4),
            }
        all_bad = [i for i, e in enumerate(examples) if e.kind != "good" and e.hter > 0]
        zero_any = defaultdict(bool)
        for s, e in zip(runtime, examples):
            if e.hter == 0:
                zero_any[e.sid] |= bool(s >= thr)
        figures[name] = {
            "threshold": thr,
            "by_kind": by_kind,
            "auroc_all_bad": round(auroc(good_rt, runtime[all_bad].tolist()), 4),
            "good_fix_accepted": round(float(np.mean(np.array(good_rt) >= thr)), 4),
            "good_fix_accepted_hter_capped": round(float(np.mean(np.array(good_cap) >= thr)), 4),
            "max_hter": args.max_hter,
            "good_fix_rejected_at_runtime": round(float(np.mean([r for r, e in zip(rejected, examples) if e.kind == "good"])), 4),
            "hter0_sentences_any_perturbation_accepted": round(float(np.mean(list(zero_any.values()))), 4),
        }

    # Good MT left alone: rule-fix and back-translation candidates on HTER = 0 sentences.
    zero_rows = [r for r in rows if r[3] == 0]
    rules = rule_candidates(zero_rows, neural=True)
    good_mt = {"sentences": len(zero_rows), "rule_fix": {}, "backtranslation": {}}
    if rules:
        scored = fixscore.score_pairs([p for _, p, _ in rules], neural=True, model=model)
        thr = model.formula(True).threshold
        accepted = {sid for (sid, _, _), (s, _) in zip(rules, scored) if s >= thr}
        codes = Counter(f.code for _, _, fs in rules for f in fs if f.fix is not None and f.fix.safe)
        good_mt["rule_fix"] = {
            "sentences_with_candidate": len({sid for sid, _, _ in rules}),
            "sentences_accepted": len(accepted),
            "share_accepted": round(len(accepted) / len(zero_rows), 4),
            "rules": dict(codes.most_common()),
            "examples": [{"original": p.original, "candidate": p.candidate, "fix_score": round(s, 3)}
                         for (_, p, _), (s, _) in list(zip(rules, scored))[:8]],
        }
    else:
        good_mt["rule_fix"] = {"sentences_with_candidate": 0, "share_accepted": 0.0}
    bt, why = backtranslation_candidates(zero_rows, args)
    if bt is None:
        good_mt["backtranslation"] = {"scored": False, "why": why}
    else:
        pairs = [(sid, p) for sid, p, _ in bt if p is not None]
        scored = fixscore.score_pairs([p for _, p in pairs], neural=True, model=model) if pairs else []
        thr = model.formula(True).threshold
        accepted = {sid for (sid, _), (s, _) in zip(pairs, scored) if s >= thr}
        good_mt["backtranslation"] = {
            "scored": True, "candidates": len(bt), "rejected_by_protection": sum(1 for _, p, _ in bt if p is None),
            "sentences_accepted": len(accepted), "share_accepted": round(len(accepted) / len(zero_rows), 4),
        }
    figures["good_mt_left_alone"] = good_mt
    if args.repairs:
        figures["repairs"] = held_out_repairs(model, args)
    figures["seconds"] = round(time.time() - t0)

    print_report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    return 0


def held_out_repairs(model, args) -> dict:
    """Section 3: repair candidates on data nothing trains on, scored with ``model``."""
    print("held-out repair candidates:", file=sys.stderr)
    examples, stats = rx.build(args.shared, args.seed, args.per_class, args.clean, held_out=True,
                               log=lambda m: print(m, file=sys.stderr, flush=True))
    out: dict = {"data": stats, "examples": dict(Counter(e.kind for e in examples))}
    if not examples:
        return out
    comps = fd.features(examples, args.cache or fd.default_cache())
    for name in ("neural", "lexical"):
        formula = model.formula(name == "neural")
        scores = [0.0 if fd.runtime_rejected(e) else formula.score(c) for e, c in zip(examples, comps)]
        accepted = [s >= REPAIRS_BAR and (name == "lexical" or c["fluency_gain"] > 0) for s, c in zip(scores, comps)]
        good = [s for s, e in zip(scores, examples) if e.label]
        by_kind = {}
        for kind in (*rx.GOOD_KINDS, *rx.BAD_KINDS):
            idx = [i for i, e in enumerate(examples) if e.kind == kind]
            if not idx:
                continue
            row = {"n": len(idx), "accepted": round(sum(accepted[i] for i in idx) / len(idx), 4)}
            if kind in rx.BAD_KINDS:
                au = auroc(good, [scores[i] for i in idx])
                row["auroc_good_repairs_vs_this"] = None if au is None else round(au, 4)
            by_kind[kind] = row
        by_transform: dict = {}
        for e, a in zip(examples, accepted):
            row = by_transform.setdefault(e.transforms[0], {"good": 0, "good_accepted": 0, "bad": 0, "bad_accepted": 0})
            side = "good" if e.label else "bad"
            row[side] += 1
            row[side + "_accepted"] += int(a)
        out[name] = {"by_kind": by_kind, "by_first_transform": by_transform}
    return out


def print_report(f: dict) -> None:
    print(f"fix-score evaluation on {f['data']}: {f['sentences_hter_gt_0']} HTER>0 sentences, {f['sentences_hter_0']} HTER=0 sentences")
    print(f"examples: {f['examples']}")
    for name in ("neural", "lexical"):
        g = f[name]
        print(f"\n[{name} formula, threshold {g['threshold']}]")
        cap = f"HTER<={g['max_hter']}"
        print(f"{'bad kind':<18}{'n':>6}{'AUROC':>8}{'(formula only)':>16}{'AUROC ' + cap:>17}{'accepted':>10}")
        for kind, v in g["by_kind"].items():
            print(f"{kind:<18}{v['n']:>6}{v['auroc']:>8.3f}{v['auroc_formula_only']:>16.3f}{v['auroc_hter_capped']:>17.3f}{v['accepted']:>10.1%}")
        print(f"{'all bad':<18}{'':>6}{g['auroc_all_bad']:>8.3f}")
        print(f"good fixes (post-edits) accepted: {g['good_fix_accepted']:.1%} ({g['good_fix_accepted_hter_capped']:.1%} of those with {cap}) "
              f"(rejected outright for a changed number/date: {g['good_fix_rejected_at_runtime']:.1%})")
        print(f"HTER=0 sentences with any perturbed candidate accepted: {g['hter0_sentences_any_perturbation_accepted']:.1%}")
    gm = f["good_mt_left_alone"]
    print(f"\nGood MT left alone ({gm['sentences']} HTER=0 sentences):")
    rf = gm["rule_fix"]
    print(f"  rule-fix candidates: {rf.get('sentences_with_candidate', 0)} sentences had one; "
          f"accepted for {rf.get('sentences_accepted', 0)} ({rf.get('share_accepted', 0.0):.1%} of all HTER=0 sentences); rules: {rf.get('rules', {})}")
    for ex in rf.get("examples", [])[:5]:
        print(f"    {ex['fix_score']:.2f}  {ex['original']!r} -> {ex['candidate']!r}")
    b = gm["backtranslation"]
    if b.get("scored"):
        print(f"  back-translation: {b['candidates']} candidates ({b['rejected_by_protection']} rejected by protection); "
              f"accepted for {b['sentences_accepted']} sentences ({b['share_accepted']:.1%})")
    else:
        print(f"  back-translation: not scored ({b['why']})")
    r = f.get("repairs")
    if r:
        print(f"\nHeld-out repair candidates: {r['examples']}")
        for name, st in r["data"].items():
            print(f"  {name}: {st}")
        for name in ("neural", "lexical"):
            if name not in r:
                continue
            bar = f"score >= {REPAIRS_BAR:g}" + (", fluency gain > 0" if name == "neural" else "")
            print(f"[{name} formula; accepted as at run time: {bar}]")
            print(f"{'repair kind':<18}{'n':>6}{'accepted':>10}{'AUROC good vs this':>20}")
            for kind, v in r[name]["by_kind"].items():
                au = v.get("auroc_good_repairs_vs_this")
                print(f"{kind:<18}{v['n']:>6}{v['accepted']:>10.1%}{'' if au is None else f'{au:.3f}':>20}")
            print("  by first transform (good accepted/good, bad accepted/bad): " + "; ".join(
                f"{t} {v['good_accepted']}/{v['good']}, {v['bad_accepted']}/{v['bad']}"
                for t, v in sorted(r[name]["by_first_transform"].items())))
    print(f"\n({f['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
