"""What the desk's decisions say about the rules: per rule code, how often editors accepted,
edited or rejected the proposals its fixes went into, and the config line that would quieten a
rule they mostly reject (a lower severity, its fix turned off with ``unfixable``, or ``ignore``).

Counted from the decision log: per card and file version, the decision in force (a decision
replaced by a later one, or undone, does not count; a stale one that was dismissed still
does: it was the editor's call on that text). A decision counts for every rule whose fix made
the proposal decided on (``Decision.codes``); a rewrite made by back-translation counts as
``rewrite``. Edits of cards without a proposal count for nothing but the totals.
"""

from __future__ import annotations

from mtcheck.review.store import Decision

DEFAULT_REJECT_THRESHOLD = 0.5  # reject share above which a rule is pointed out
DEFAULT_MIN_DECISIONS = 3  # fewer decisions than this say nothing about a rule
REWRITE = "rewrite"
_LOWER = {"error": "warning", "warning": "info"}


def in_force(decisions: list[Decision]) -> list[Decision]:
    latest: dict[tuple[str, str, str], Decision] = {}
    for d in decisions:
        if d.undone_at is None:
            latest[(d.path, d.sha256, d.suggestion)] = d
    return sorted(latest.values(), key=lambda d: d.id)


def _default_severity(code: str) -> str | None:
    try:
        from mtcheck.rules import rule_by_code
    except ImportError:
        return None
    rule = rule_by_code(code)
    if rule is None:
        return None
    return str(rule.severity)


def advice(code: str, severity: str | None) -> list[str]:
    """Config lines (``[tool.mtcheck]`` in pyproject.toml, the top level of mtcheck.toml), any
    one of which quietens the rule: a lower severity, its fix turned off (``unfixable``: still
    reported, no longer proposed), or the rule taken out."""
    lines = []
    lower = _LOWER.get(severity or "warning")
    if lower:
        lines.append(f'severity = {{ {code} = "{lower}" }}  # still reported and fixed, as {lower}')
    lines.append(f'unfixable = ["{code}"]  # still reported, its fix no longer proposed')
    lines.append(f'ignore = ["{code}"]  # not checked at all')
    return lines


def compute(decisions: list[Decision], threshold: float = DEFAULT_REJECT_THRESHOLD,
            min_decisions: int = DEFAULT_MIN_DECISIONS) -> dict:
    rows: dict[str, dict] = {}
    totals = {"accept": 0, "reject": 0, "edit": 0, "no_proposal_edits": 0}
    for d in in_force(decisions):
        totals[d.action] += 1
        codes = d.rule_codes
        if not codes and (d.option or "").startswith(("rewrite", "cand-")):
            codes = [REWRITE]
        if not codes:
            if d.action == "edit":
                totals["no_proposal_edits"] += 1
            continue
        for code in codes:
            row = rows.setdefault(code, {"code": code, "accept": 0, "reject": 0, "edit": 0, "scores": []})
            row[d.action] += 1
            if d.score is not None and d.action != "reject":
                row["scores"].append(d.score)
    out = []
    for code, row in sorted(rows.items()):
        decided = row["accept"] + row["reject"] + row["edit"]
        scores = row.pop("scores")
        rec = dict(row, decided=decided,
                   acceptance=round(row["accept"] / decided, 3),
                   rejection=round(row["reject"] / decided, 3),
                   mean_fix_score=round(sum(scores) / len(scores), 3) if scores else None)
        flagged = decided >= min_decisions and rec["rejection"] > threshold
        rec["flagged"] = flagged
        if code != REWRITE:
            rec["severity"] = _default_severity(code)
        if flagged:
            rec["advice"] = (advice(code, rec.get("severity")) if code != REWRITE
                             else ["[tool.mtcheck.rewrite]", "threshold = 0.9  # a higher bar for rewrites"])
        out.append(rec)
    out.sort(key=lambda r: (not r["flagged"], -r["rejection"], r["code"]))
    return {"threshold": threshold, "min_decisions": min_decisions, "totals": totals, "rules": out}


def render_text(stats: dict) -> str:
    rules = stats["rules"]
    if not rules:
        return "no decisions on rule fixes yet\n"
    lines = [f"{'rule':<8} {'decided':>7} {'accepted':>9} {'edited':>7} {'rejected':>9} {'accept rate':>12} {'mean fix score':>15}"]
    for r in rules:
        score = "-" if r["mean_fix_score"] is None else f"{r['mean_fix_score']:.2f}"
        lines.append(f"{r['code']:<8} {r['decided']:>7} {r['accept']:>9} {r['edit']:>7} {r['reject']:>9} "
                     f"{r['acceptance']:>11.0%} {score:>15}")
    flagged = [r for r in rules if r["flagged"]]
    if flagged:
        lines.append("")
        for r in flagged:
            lines.append(f"{r['code']}: editors rejected {r['rejection']:.0%} of its {r['decided']} proposals "
                         f"(over {stats['threshold']:.0%}); any one of these lines in the config quietens it:")
            lines.extend(f"    {line}" for line in r["advice"])
    t = stats["totals"]
    lines.append("")
    lines.append(f"{t['accept']} accepted, {t['edit']} edited ({t['no_proposal_edits']} without a proposal), {t['reject']} rejected")
    return "\n".join(lines) + "\n"
