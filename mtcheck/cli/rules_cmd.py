"""``mtcheck rules``: every rule with its code, category, default severity and summary."""

from __future__ import annotations

import json

import click


def markdown_table(items) -> str:
    """The README's rule table (scripts/update_readme_rules.py writes it there)."""
    lines = ["| code | name | category | severity | fix | description |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.category} | {r.severity} | {r.fix} | {r.summary} |" for r in items]
    return "\n".join(lines)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text: a table; json: full rule documentation; markdown: the README's rule table.")
@click.argument("code", required=False)
def rules(fmt, code):
    """List every rule (or explain one CODE): code, category, default severity, description."""
    from mtcheck.cli.common import fail
    from mtcheck.rules import all_rules, rule_by_code

    if code:
        rule = rule_by_code(code)
        if rule is None:
            fail(f"unknown rule '{code}' (see `mtcheck rules`)")
        click.echo(f"{rule.code} {rule.name} [{rule.category}, {rule.severity}]\n\n{rule.summary}")
        if rule.why:
            click.echo(f"\nWhy: {rule.why}")
        if rule.example:
            click.echo(f"\nExample: {rule.example}")
        click.echo(f"\nFix: {rule.fix}" + (f"\nNeeds: {', '.join(sorted(rule.needs))}" if rule.needs else ""))
        return
    items = all_rules()
    if fmt == "json":
        click.echo(json.dumps([{
            "code": r.code, "name": r.name, "category": r.category, "severity": str(r.severity),
            "summary": r.summary, "why": r.why, "example": r.example, "fix": r.fix, "needs": sorted(r.needs),
        } for r in items], indent=1, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(markdown_table(items))
    else:
        for r in items:
            click.echo(f"{r.code:<6} {r.category:<12} {str(r.severity):<8} {r.name:<32} {r.summary}")
