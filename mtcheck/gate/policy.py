"""The gate policy: which stories go through, which need an editor, which are rejected.

A policy is a flat table of limits in two tiers. ``max-*``/``min-*``/``reject-*`` keys are
hard limits: crossing one rejects the story. ``review-*`` keys are soft limits: crossing
one sends it to an editor. The verdict is the worst tier reached; the rule that decided is
the first one crossed in that tier, in the order of ``KEYS``. Every key has a default, so
an empty policy is a sensible one; config (``[tool.mtcheck.gate]``) overrides the defaults
and ``--policy FILE`` overrides config, key by key.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from mtcheck.config import Section
from mtcheck.document import Document
from mtcheck.findings import CATEGORIES
from mtcheck.fsutil import read_toml
from mtcheck.gate.metrics import QUALITY_AGGREGATES, StoryMetrics, measure
from mtcheck.rules.language import declared_not_english

ACCEPTED, REVIEW, REJECTED = "accepted", "review", "rejected"
_RANK = {ACCEPTED: 0, REVIEW: 1, REJECTED: 2}


class PolicyError(Exception):
    """A malformed policy; the message names the file and the problem on one line."""


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # count | share | categories | category-counts | bool | aggregate | path
    default: Any
    tier: str | None  # the verdict a crossed limit gives; None for settings
    doc: str


# Order matters: within a tier, the first limit crossed is the one that decided.
KEYS: tuple[Key, ...] = (
    Key("require-english", "bool", True, REJECTED,
        "reject a story that is not English (untranslated) as measured by max-foreign-share"),
    Key("max-foreign-share", "share", 0.25, None,
        "share of letters in a non-Latin script, or of sentences holding a language finding, above which a story is not English"),
    Key("reject-categories", "categories", [], REJECTED, "any finding of these categories rejects"),
    Key("max-errors", "count", -1, REJECTED, "more error findings than this rejects (-1: no limit)"),
    Key("max-warnings", "count", -1, REJECTED, "more warning findings than this rejects (-1: no limit)"),
    Key("max-category", "category-counts", {}, REJECTED, "per category: more findings than this rejects"),
    Key("max-flagged-share", "share", 0.5, REJECTED, "a larger share of flagged sentences (syntax/language findings) rejects"),
    # Quality limits from scripts/calibrate_gate.py: review-quality sends at most 2% of professional
    # translations of Russian news to review (12-sentence stories); min-quality lies 0.03 below the
    # lowest of them, so quality alone never rejects professional copy.
    Key("min-quality", "share", 0.45, REJECTED, "document quality below this rejects (neural path only)"),
    Key("review-foreign-share", "share", 0.02, REVIEW,
        "a larger share of letters in a non-Latin script sends to review (an untranslated sentence, even with the language rules off)"),
    # Boilerplate (B1xx: cookie banners, share prompts, bylines of the web page) is page
    # furniture an editor has to cut before the story runs, so it is not accepted as-is.
    Key("review-categories", "categories", ["language", "boilerplate"], REVIEW, "any finding of these categories sends to review"),
    Key("review-errors", "count", 0, REVIEW, "more error findings than this sends to review (-1: no limit)"),
    Key("review-warnings", "count", 3, REVIEW, "more warning findings than this sends to review (-1: no limit)"),
    Key("review-category", "category-counts", {}, REVIEW, "per category: more findings than this sends to review"),
    Key("review-flagged-share", "share", 0.1, REVIEW, "a larger share of flagged sentences sends to review"),
    Key("review-quality", "share", 0.55, REVIEW, "document quality below this sends to review (neural path only)"),
    Key("quality-aggregate", "aggregate", "mean", None,
        "how sentence qualities make the document quality: mean, median, lower-quartile or min (body sentences)"),
    Key("audit-log", "path", None, None,
        "where the audit log goes (default: INBOX/.mtcheck-gate/gate.log.jsonl); relative to the file that sets it"),
)
KEY_BY_NAME = {k.name: k for k in KEYS}
QUALITY_KEYS = ("min-quality", "review-quality")

# The types the [gate] config section takes (``CONFIG``), by kind of key.
CONFIG_TYPES = {
    "bool": bool,
    "share": (int, float),
    "count": int,
    "categories": list,
    "category-counts": dict,
    "aggregate": str,
    "path": str,
}

# The [gate] table of the config, declared with the keys' meaning (``config.load_config``).
CONFIG = Section("gate", {k.name: CONFIG_TYPES[k.kind] for k in KEYS})


@dataclass(frozen=True)
class Policy:
    values: Mapping[str, Any]
    sources: tuple[str, ...] = ("defaults",)  # where the values came from, in override order

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def to_dict(self) -> dict:
        return {k.name: self.values[k.name] for k in KEYS if k.kind != "path"}


def default_policy() -> Policy:
    return Policy({k.name: _copy(k.default) for k in KEYS})


def _copy(value):
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def build_policy(config_table: Mapping[str, Any] | None = None, config_path: str | None = None,
                 policy_file: str | os.PathLike | None = None) -> Policy:
    """Defaults, overridden by config's [gate] table, overridden by ``--policy FILE``."""
    values = dict(default_policy().values)
    sources = ["defaults"]
    if config_table:
        where = f"{config_path} [gate]" if config_path else "config [gate]"
        values.update(validate(config_table, where, base=Path(config_path).parent if config_path else None))
        sources.append(where)
    if policy_file is not None:
        values.update(validate(read_policy_file(policy_file), str(policy_file), base=Path(policy_file).resolve().parent))
        sources.append(str(policy_file))
    return Policy(values, tuple(sources))


def read_policy_file(path: str | os.PathLike) -> dict:
    # Only a regular file is read: opening a FIFO would wait for a writer forever, and a
    # device never ends. stat() itself never blocks.
    try:
        st = os.stat(path)
    except OSError as e:
        raise PolicyError(f"{path}: cannot read policy: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise PolicyError(f"{path}: cannot read policy: {what}")
    raw = read_toml(path, PolicyError, "policy")
    # The same keys at the top level, or under [gate], or as in a pyproject.toml.
    table = raw.get("tool", {}).get("mtcheck", {}).get("gate") if isinstance(raw.get("tool"), dict) else None
    if table is None and "gate" in raw:
        table = raw["gate"]
        if not isinstance(table, dict):
            raise PolicyError(f"{path}: 'gate' must be a table")
        others = sorted(set(raw) - {"gate"})
        if others:
            raise PolicyError(f"{path}: keys both at the top level and under [gate]: {', '.join(others)}")
    if table is None:
        table = raw
    if not isinstance(table, dict):
        raise PolicyError(f"{path}: the gate policy must be a table")
    return table


def validate(table: Mapping[str, Any], where: str, base: Path | None = None) -> dict:
    """Check every key and value; return the table with paths made absolute."""
    out = {}
    for name, value in table.items():
        key = KEY_BY_NAME.get(name)
        if key is None:
            raise PolicyError(f"{where}: unknown policy key '{name}' (known: {', '.join(KEY_BY_NAME)})")
        out[name] = _check_value(key, value, where, base)
    return out


def _check_value(key: Key, value, where: str, base: Path | None):
    bad = f"{where}: '{key.name}'"
    if key.kind == "bool":
        if not isinstance(value, bool):
            raise PolicyError(f"{bad} must be true or false")
        return value
    if isinstance(value, bool):  # bool is an int subclass: `true` as a limit is a mistake
        raise PolicyError(f"{bad} must be a number, got a boolean")
    if key.kind == "count":
        if not isinstance(value, int) or value < -1:
            raise PolicyError(f"{bad} must be a whole number >= 0, or -1 for no limit")
        return value
    if key.kind == "share":
        if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise PolicyError(f"{bad} must be a number between 0 and 1")
        return float(value)
    if key.kind == "categories":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"{bad} must be a list of categories")
        for v in value:
            if v not in CATEGORIES:
                raise PolicyError(f"{bad}: unknown category '{v}' (known: {', '.join(CATEGORIES)})")
        return list(value)
    if key.kind == "category-counts":
        if not isinstance(value, dict):
            raise PolicyError(f"{bad} must be a table of category = count")
        for cat, n in value.items():
            if cat not in CATEGORIES:
                raise PolicyError(f"{bad}: unknown category '{cat}' (known: {', '.join(CATEGORIES)})")
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise PolicyError(f"{where}: '{key.name}.{cat}' must be a whole number >= 0")
        return dict(value)
    if key.kind == "aggregate":
        if value not in QUALITY_AGGREGATES:
            raise PolicyError(f"{bad} must be one of {', '.join(QUALITY_AGGREGATES)}")
        return value
    if key.kind == "path":
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"{bad} must be a path")
        p = Path(value).expanduser()
        return str(p if p.is_absolute() or base is None else (base / p).resolve())
    raise AssertionError(key.kind)


# -- decisions --------------------------------------------------------------------------------

@dataclass
class Check:
    rule: str  # a policy key, or "input" / "duplicate" for stories no policy could judge
    outcome: str  # pass | review | rejected | skipped | off
    detail: str  # human-readable: the measured value against the limit
    value: Any = None
    limit: Any = None

    @property
    def crossed(self) -> bool:
        return self.outcome in (REVIEW, REJECTED)

    def to_reason(self) -> dict:
        return {"rule": self.rule, "verdict": self.outcome, "message": self.detail,
                "value": self.value, "limit": self.limit}


@dataclass
class Decision:
    verdict: str
    checks: list[Check]
    metrics: StoryMetrics | None = None
    notes: list[str] = field(default_factory=list)  # e.g. quality limits not applied

    @property
    def reasons(self) -> list[Check]:
        return [c for c in self.checks if c.crossed]

    @property
    def decided_by(self) -> Check | None:
        return next((c for c in self.checks if c.outcome == self.verdict), None)

    def reason_records(self) -> list[dict]:
        return [c.to_reason() for c in self.reasons]

    def summary(self) -> str:
        d = self.decided_by
        return d.detail if d else "within every limit of the policy"


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def evaluate(doc: Document, policy: Policy, neural: bool = True) -> Decision:
    """The verdict for one scanned story, with every check's outcome."""
    m = measure(doc, policy["quality-aggregate"])
    checks: list[Check] = []
    add = checks.append

    # -- language ---------------------------------------------------------------------------
    limit = policy["max-foreign-share"]
    script = f"{_pct(m.foreign_letter_share)} of letters not in Latin script ({_pct(m.cyrillic_letter_share)} Cyrillic)"
    flagged = f"language findings (not English) in {_pct(m.language_sentence_share)} of sentences"
    declared = declared_not_english(doc)
    if not policy["require-english"]:
        add(Check("require-english", "off", "not required by the policy"))
    elif declared is not None:
        # Declared in another language by its own metadata: not judged as English (its text
        # was not checked as such), neither accepted nor rejected as a translation: an editor
        # routes it to its desk.
        add(Check("require-english", REVIEW, f"declared in another language ('{declared}') by its "
                  f"{doc.source.format} metadata: not checked as English; route it to its desk", declared, "en"))
        return Decision(REVIEW, checks, m, [])
    elif m.letters == 0:
        add(Check("require-english", REJECTED, "not a story in any language: the text holds no letters", 0.0, limit))
    elif m.foreign_share > limit:
        why = script if m.foreign_letter_share >= m.language_sentence_share else flagged
        add(Check("require-english", REJECTED, f"not English (untranslated): {why}, over the limit of {_pct(limit)}",
                  round(m.foreign_share, 4), limit))
    else:
        add(Check("require-english", "pass", f"{script}; {flagged}; limit {_pct(limit)}", round(m.foreign_share, 4), limit))

    # -- hard limits --------------------------------------------------------------------------
    add(_categories_check("reject-categories", REJECTED, policy, m))
    add(_count_check("max-errors", REJECTED, m.errors, "error finding", policy))
    add(_count_check("max-warnings", REJECTED, m.warnings, "warning finding", policy))
    checks.extend(_category_count_checks("max-category", REJECTED, policy, m))
    add(_share_check("max-flagged-share", REJECTED, m, policy))
    add(_quality_check("min-quality", REJECTED, m, policy, neural))

    # -- soft limits --------------------------------------------------------------------------
    limit = policy["review-foreign-share"]
    share = round(m.foreign_letter_share, 4)
    if m.foreign_letter_share > limit and checks[0].outcome != REJECTED:
        add(Check("review-foreign-share", REVIEW, f"partly untranslated: {script}, over {_pct(limit)}", share, limit))
    else:
        add(Check("review-foreign-share", "pass", f"{script}; limit {_pct(limit)}", share, limit))
    add(_categories_check("review-categories", REVIEW, policy, m))
    add(_count_check("review-errors", REVIEW, m.errors, "error finding", policy))
    add(_count_check("review-warnings", REVIEW, m.warnings, "warning finding", policy))
    checks.extend(_category_count_checks("review-category", REVIEW, policy, m))
    add(_share_check("review-flagged-share", REVIEW, m, policy))
    add(_quality_check("review-quality", REVIEW, m, policy, neural))

    verdict = max((c.outcome for c in checks if c.crossed), key=_RANK.__getitem__, default=ACCEPTED)
    notes = []
    if not neural:
        notes.append("rules-only gate (--no-neural): quality limits min-quality and review-quality not applied")
    elif m.quality is None:
        notes.append("no sentence carried a quality score: quality limits not applied")
    return Decision(verdict, checks, m, notes)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _count_check(name: str, tier: str, count: int, noun: str, policy: Policy) -> Check:
    limit = policy[name]
    if limit < 0:
        return Check(name, "off", f"{_n(count, noun)} (no limit)", count, None)
    if count > limit:
        return Check(name, tier, f"{_n(count, noun)}, more than {limit} allowed", count, limit)
    return Check(name, "pass", f"{_n(count, noun)}; at most {limit} allowed", count, limit)


def _categories_check(name: str, tier: str, policy: Policy, m: StoryMetrics) -> Check:
    cats = policy[name]
    if not cats:
        return Check(name, "off", "no categories listed")
    hits = {c: m.by_category[c] for c in cats if m.by_category.get(c)}
    if hits:
        listed = ", ".join(_n(n, f"{c} finding") for c, n in hits.items())
        return Check(name, tier, f"{listed}; any finding of {', '.join(cats)} counts", hits, cats)
    return Check(name, "pass", f"no finding of {', '.join(cats)}", {}, cats)


def _category_count_checks(name: str, tier: str, policy: Policy, m: StoryMetrics) -> list[Check]:
    limits = policy[name]
    if not limits:
        return [Check(name, "off", "no per-category limits")]
    out = []
    for cat, limit in limits.items():
        n = m.by_category.get(cat, 0)
        outcome = tier if n > limit else "pass"
        relation = "more than" if n > limit else "at most"
        out.append(Check(f"{name}.{cat}", outcome, f"{_n(n, cat + ' finding')}; {relation} {limit} allowed", n, limit))
    return out


def _share_check(name: str, tier: str, m: StoryMetrics, policy: Policy) -> Check:
    limit = policy[name]
    detail = f"{m.flagged} of {_n(m.sentences, 'sentence')} flagged ({_pct(m.flagged_share)})"
    value = round(m.flagged_share, 4)
    if m.flagged_share > limit:
        return Check(name, tier, f"{detail}, over the limit of {_pct(limit)}", value, limit)
    return Check(name, "pass", f"{detail}; limit {_pct(limit)}", value, limit)


def _quality_check(name: str, tier: str, m: StoryMetrics, policy: Policy, neural: bool) -> Check:
    limit = policy[name]
    if not neural:
        return Check(name, "skipped", "rules-only gate (--no-neural): no quality score", None, limit)
    if m.quality is None:
        return Check(name, "skipped", "no sentence carried a quality score", None, limit)
    q = round(m.quality, 4)
    how = policy["quality-aggregate"]
    if m.quality < limit:
        return Check(name, tier, f"document quality {q:.2f} ({how} of {m.quality_scored} sentences) below {limit:.2f}", q, limit)
    return Check(name, "pass", f"document quality {q:.2f} ({how} of {m.quality_scored} sentences); minimum {limit:.2f}", q, limit)


def input_error_decision(kind: str, message: str) -> Decision:
    """A file no policy can judge (binary, empty, undecodable, unreadable) is rejected."""
    return Decision(REJECTED, [Check("input", REJECTED, f"{kind}: {message}", kind, None)])


def duplicate_decision(first: Mapping[str, Any]) -> Decision:
    """The same bytes were decided before: not decided again, never imported twice."""
    detail = (f"duplicate of a story decided {first.get('verdict', '?')} at {first.get('time', '?')}"
              f" (was {first.get('source', '?')})")
    return Decision(REJECTED, [Check("duplicate", REJECTED, detail, first.get("hash"), None)])


def fragment_decision(first: Mapping[str, Any]) -> Decision:
    """A file that reappeared under the name of a story ``--watch`` took moments before:
    the writer went on appending after the story was taken, so this is the rest of that
    story, not a story of its own."""
    detail = (f"appended to after the gate took it: the rest of {first.get('source', '?')}, decided "
              f"{first.get('verdict', '?')} at {first.get('time', '?')} (moved to {first.get('dest', '?')}); "
              "send the whole story again under a new name")
    return Decision(REJECTED, [Check("fragment", REJECTED, detail, first.get("hash"), None)])


def explain(path: str, decision: Decision, policy: Policy) -> str:
    """Which rule of the policy decided, and every check behind it, for ``--explain``."""
    lines = [f"{path}: {decision.verdict.upper()}"]
    d = decision.decided_by
    if d is not None:
        lines.append(f"  decided by {d.rule}: {d.detail}")
    else:
        lines.append("  accepted: within every limit of the policy")
    others = [c for c in decision.reasons if c is not d]
    if others:
        lines.append("  also crossed:")
        lines.extend(f"    {c.rule} ({c.outcome}): {c.detail}" for c in others)
    lines.append("  checks, in order (hard limits reject, review-* limits send to an editor):")
    width = max(len(c.rule) for c in decision.checks)
    for c in decision.checks:
        mark = {"pass": "ok", "off": "off", "skipped": "skip"}.get(c.outcome, c.outcome.upper())
        lines.append(f"    {c.rule:<{width}}  {mark:<8}  {c.detail}")
    for note in decision.notes:
        lines.append(f"  note: {note}")
    lines.append(f"  policy: {' < '.join(policy.sources)}")
    return "\n".join(lines)
