"""The rule registry: every family module, its rules, and rule selection.

Families are listed once, here. Selection works as in ruff: selectors are codes, code
prefixes or family names; the more specific selector wins, ``ignore`` wins ties.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Iterable

from mtcheck.rules.base import Context, Family, Rule

FAMILY_MODULES = ("entity", "style", "boilerplate", "syntax", "language", "integrity", "suppression")


@lru_cache(maxsize=None)
def families() -> tuple[Family, ...]:
    out = []
    for name in FAMILY_MODULES:
        module = importlib.import_module(f"mtcheck.rules.{name}")
        out.append(module.FAMILY)
    prefixes = [f.prefix for f in out]
    for a in prefixes:
        for b in prefixes:
            assert a == b or not b.startswith(a), f"family prefix {a} is the start of {b}"
    return tuple(out)


def all_rules() -> tuple[Rule, ...]:
    return tuple(r for f in families() for r in f.rules)


@lru_cache(maxsize=1)
def _rules_by_code() -> dict[str, Rule]:
    return {r.code: r for r in all_rules()}


def rule_by_code(code: str) -> Rule | None:
    # Called for every finding the rules stage keeps: one table, built once.
    return _rules_by_code().get(code.upper())


class SelectorError(ValueError):
    pass


def _specificity(selector: str, rule: Rule, family: Family) -> int | None:
    """How specifically ``selector`` names ``rule`` (None: it does not)."""
    s = selector.strip()
    if s.upper() == "ALL":
        return 0
    if s.lower() == family.name:
        return len(family.prefix)
    if rule.code.startswith(s.upper()):
        return len(s)
    return None


def validate_selectors(selectors: Iterable[str]) -> None:
    known_families = {f.name for f in families()}
    codes = [r.code for r in all_rules()]
    for s in selectors:
        s = s.strip()
        if s.upper() == "ALL" or s.lower() in known_families:
            continue
        if not any(c.startswith(s.upper()) for c in codes):
            raise SelectorError(f"unknown rule selector '{s}' (see `mtcheck rules`)")


def codes_named(selectors: Iterable[str]) -> frozenset[str]:
    """Every rule code that ``selectors`` name, as ``select`` reads them (a code, a prefix, a
    family, ALL), preview rules included: ``unfixable = ["E1"]`` takes E108's fix away too
    when E108 is selected. Raises ``SelectorError`` for an unknown selector."""
    selectors = list(selectors)
    validate_selectors(selectors)
    return frozenset(rule.code for family in families() for rule in family.rules
                     if any(_specificity(s, rule, family) is not None for s in selectors))


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = (), extend_select: Iterable[str] = ()) -> frozenset[str]:
    select = list(select) or ["ALL"]
    select += list(extend_select)
    ignore = list(ignore)
    validate_selectors(select + ignore)
    enabled = set()
    for family in families():
        for rule in family.rules:
            best_sel = max((sp for s in select if (sp := _specificity(s, rule, family)) is not None), default=None)
            best_ign = max((sp for s in ignore if (sp := _specificity(s, rule, family)) is not None), default=None)
            if best_sel is None:
                continue
            if rule.preview and not any(sel.strip().upper() == rule.code for sel in select):
                continue  # preview rules only by their own code
            if best_ign is not None and best_ign >= best_sel:
                continue
            enabled.add(rule.code)
    return frozenset(enabled)


__all__ = ["Context", "Family", "Rule", "families", "all_rules", "rule_by_code", "codes_named", "select_rules", "SelectorError"]
