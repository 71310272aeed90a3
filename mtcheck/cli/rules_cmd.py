"""``mtcheck rules``: every rule with its code, category, default severity and summary."""

from __future__ import annotations

import json

import click


def markdown_table(items) -> str:
    """The README's rule table (scripts/update_readme_rules.py writes it there)."""
    lines = ["| code | name | category | severity | fix | description |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name}{' (preview)' if r.preview else ''} | {r.category} | {r.severity} | {r.fix} | {r.summary} |"
              for r in items]
    return "\n".join(lines)


def rule_record(r) -> dict:
    return {
        "code": r.code, "name": r.name, "category": r.category, "severity": str(r.severity),
        "summary": r.summary, "why": r.why, "example": r.example, "fix": r.fix, "needs": sorted(r.needs),
    }


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text: a table (one rule: its documentation); json: full rule documentation, a list; markdown: the README's rule table.")
@click.argument("selector", required=False, metavar="[CODE|FAMILY|PREFIX]")
def rules(fmt, selector):
    """List every rule, the rules of a FAMILY (entity, style, boilerplate, syntax, language,
    integrity, suppression) or a code PREFIX (E1), or explain one CODE: code, category, default
    severity, description. The same selectors as --select (and as the config's unfixable, which
    keeps a rule's findings but turns its fix off)."""
    from mtcheck.cli.common import fail
    from mtcheck.rules import all_rules, families, rule_by_code

    items = all_rules()
    single = None
    if selector:
        single = rule_by_code(selector)
        if single is not None:
            items = (single,)
        else:
            wanted = selector.strip()
            family = next((f for f in families() if f.name == wanted.lower()), None)
            if family is not None:
                items = family.rules
            elif wanted.upper() != "ALL":
                items = tuple(r for r in items if r.code.startswith(wanted.upper()))
            if not items:
                names = ", ".join(f.name for f in families())
                fail(f"unknown rule '{selector}': not a rule code, code prefix or family ({names}); see `mtcheck rules`")
    if single is not None and fmt == "text":
        rule = single
        click.echo(f"{rule.code} {rule.name} [{rule.category}, {rule.severity}]\n\n{rule.summary}")
        if rule.why:
            click.echo(f"\nWhy: {rule.why}")
        if rule.example:
            click.echo(f"\nExample: {rule.example}")
        off = f' (unfixable = ["{rule.code}"] in the config, or --unfixable {rule.code}, turns it off; the findings are still reported)' if rule.fix != "none" else ""
        click.echo(f"\nFix: {rule.fix}{off}" + (f"\nNeeds: {', '.join(sorted(rule.needs))}" if rule.needs else ""))
        return
    if fmt == "json":
        click.echo(json.dumps([rule_record(r) for r in items], indent=1, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(markdown_table(items))
    else:
        for r in items:
            click.echo(f"{r.code:<6} {r.category:<12} {str(r.severity):<8} {r.name:<32} {r.summary}")
